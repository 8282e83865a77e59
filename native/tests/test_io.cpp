// The file formats: strict JSON, safetensors (reference bytes of the format's own library, every
// kind of bad header, atomic writes that fail midway), the zip reader and the restricted pickle
// interpreter on torch.save files made by PyTorch (java/src/test/resources/golden/gen_io.py).
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "check.h"
#include "core/tensor.h"
#include "io/atomic_file.h"
#include "io/byte_source.h"
#include "io/json.h"
#include "io/pickle.h"
#include "io/safetensors.h"
#include "io/torch_file.h"
#include "io/zip.h"
#include "ops/ops.h"

using namespace kd;
using namespace kd::io;

static std::string golden(const std::string& name) {
  std::string here = __FILE__;
  return here.substr(0, here.rfind('/')) + "/../../java/src/test/resources/golden/io/" + name;
}

static std::vector<uint8_t> slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

static LoadedFile st_parse(const std::vector<uint8_t>& b) {
  MemorySource src(b.data(), b.size());
  return read_safetensors(src);
}

static std::vector<uint8_t> with_header(const std::string& header, size_t data_bytes) {
  std::vector<uint8_t> out(8);
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(n >> (8 * i));
  for (char c : header) out.push_back(static_cast<uint8_t>(c));
  out.resize(out.size() + data_bytes, 0);
  return out;
}

static Tensor f32(std::vector<float> v, Dims shape) { return ops::from_host(v.data(), DType::Float32, shape); }

static std::vector<double> vals(const Tensor& t) {
  std::vector<double> out(t.numel());
  ops::copy_to_host(t, out.data(), DType::Float64, t.numel());
  return out;
}

// ---- JSON

TEST(json_accepts_rfc8259_and_keeps_number_literals) {
  Json j = parse_json(" {\"a\": [1, -2.5e3, true, null, \"x\\u00e9\\ud83d\\ude00\\n\"], \"b\": {}} ", "t");
  CHECK(j.is_object());
  const Json* a = j.find("a");
  CHECK(a && a->items.size() == 5);
  CHECK_EQ(a->items[1].text, std::string("-2.5e3"));
  uint64_t v = 0;
  CHECK(a->items[0].as_u64(v) && v == 1);
  CHECK(!a->items[1].as_u64(v));
  CHECK_EQ(a->items[4].text, std::string("x\xc3\xa9\xf0\x9f\x98\x80\n"));
}

TEST(json_rejects_what_is_not_strict_json) {
  const char* bad[] = {"", "{", "{\"a\":1,}", "[1,]", "{'a':1}", "01", "1.", "-", "1e", "nul", "NaN",
                       "\"\\x\"", "\"a\nb\"", "\"\\ud800\"", "\"\\udc00\"", "{\"a\" 1}", "[1] 2", "// c\n1",
                       "\"\xff\"", "\"\xed\xa0\x80\"", "\"\xc0\xaf\""};
  for (const char* b : bad) CHECK_THROWS(KD_ERR_ARGUMENT, parse_json(b, "t"));
  std::string deep(100, '[');
  CHECK_THROWS(KD_ERR_ARGUMENT, parse_json(deep, "t"));
  uint64_t v;
  CHECK(!parse_json("18446744073709551616", "t").as_u64(v));
  CHECK(parse_json("18446744073709551615", "t").as_u64(v) && v == UINT64_MAX);
}

TEST(json_strings_are_escaped_like_serde_json) {
  std::string s;
  append_json_string(s, std::string("a\"\\/\x01\t\xc3\xa9", 8));
  CHECK_EQ(s, std::string("\"a\\\"\\\\/\\u0001\\t\xc3\xa9\""));
}

// ---- safetensors

TEST(safetensors_writer_matches_the_reference_library_bytes) {
  // From the safetensors crate's test_serialization: "attn.0", F32, shape [1, 2, 3], 0..5.
  std::vector<uint8_t> expect = {64, 0, 0, 0, 0, 0, 0, 0};
  std::string h = "{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}";
  expect.insert(expect.end(), h.begin(), h.end());
  float data[] = {0, 1, 2, 3, 4, 5};
  const uint8_t* p = reinterpret_cast<const uint8_t*>(data);
  expect.insert(expect.end(), p, p + 24);
  auto got = serialize_safetensors({{"attn.0", f32({0, 1, 2, 3, 4, 5}, Dims{1, 2, 3})}}, {});
  CHECK(got == expect);
  // test_empty: "{}" padded to 8; with metadata {"framework": "pt"}.
  auto empty = serialize_safetensors({}, {});
  std::vector<uint8_t> e = {8, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' ', ' ', ' ', ' ', ' '};
  CHECK(empty == e);
  auto meta = serialize_safetensors({}, {{"framework", "pt"}});
  std::string mh = "{\"__metadata__\":{\"framework\":\"pt\"}}     ";
  CHECK(meta == with_header(mh, 0));
}

TEST(safetensors_writer_orders_by_dtype_then_name_and_round_trips) {
  int64_t longs[] = {5, -6};
  int8_t flags[] = {1, 0, 1};
  Tensor l = ops::from_host(longs, DType::Int64, Dims{2});
  Tensor b = ops::from_host(flags, DType::Bool, Dims{3});
  Tensor base = f32({0, 1, 2, 3, 4, 5}, Dims{2, 3});
  Tensor t = ops::transpose(base, 0, 1);  // non-contiguous: written row-major
  std::vector<NamedTensor> ts = {{"z", f32({1}, Dims{})}, {"b", b}, {"a", t}, {"long", l}};
  std::vector<size_t> order;
  std::string header = safetensors_header(ts, {{"k2", "v"}, {"k1", "\"q\""}}, order);
  CHECK_EQ(header.size() % 8, size_t(0));
  CHECK(header.find("{\"__metadata__\":{\"k1\":\"\\\"q\\\"\",\"k2\":\"v\"},\"long\":") == 0);
  CHECK(order == (std::vector<size_t>{3, 2, 0, 1}));  // I64, then F32 by name, then BOOL
  auto bytes = serialize_safetensors(ts, {{"k2", "v"}, {"k1", "\"q\""}});
  LoadedFile f = st_parse(bytes);
  CHECK_EQ(f.tensors.size(), size_t(4));
  CHECK_EQ(f.tensors[0].name, std::string("long"));
  CHECK(f.tensors[1].tensor.sizes() == (Dims{3, 2}));
  CHECK(vals(f.tensors[1].tensor) == (std::vector<double>{0, 3, 1, 4, 2, 5}));
  CHECK_EQ(f.tensors[2].tensor.dim(), 0);
  CHECK(vals(f.tensors[3].tensor) == (std::vector<double>{1, 0, 1}));
  CHECK_EQ(f.metadata.size(), size_t(2));
  CHECK_EQ(f.metadata[0].second, std::string("\"q\""));
}

TEST(safetensors_reader_refuses_every_bad_header) {
  auto one = [](const std::string& info, size_t data) {
    return with_header("{\"t\":" + info + "}", data);
  };
  std::string ok = "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
  CHECK_EQ(st_parse(one(ok, 8)).tensors.size(), size_t(1));
  std::vector<std::vector<uint8_t>> bad = {
      {},                                               // empty
      {1, 2, 3},                                        // shorter than the length field
      one(ok, 7),                                       // data truncated
      one(ok, 9),                                       // trailing byte
      one("{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,12]}", 12),  // size mismatch
      one("{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}", 12),  // gap at the start
      one("{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}", 8),    // end before begin
      one("{\"dtype\":\"X\",\"shape\":[2],\"data_offsets\":[0,8]}", 8),      // unknown dtype
      one("{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}", 8),   // negative dim
      one("{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}", 8),  // non-integer dim
      one("{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}", 8),
      one("{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}", 8),
      one("{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":1}", 8),  // unknown field
      one("{\"dtype\":\"F32\",\"shape\":[2]}", 8),                                  // missing field
      one("[]", 8),
      with_header("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                  "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12),  // overlap
      with_header("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                  "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8),   // duplicate
      with_header("{\"__metadata__\":{\"k\":1}}", 0),                                     // non-string
      with_header("{\"__metadata__\":[]}", 0),
      with_header("{\"t\":1,}", 0),  // bad JSON
      with_header(" {}", 0),          // must start with {
      with_header("[]", 0),
  };
  for (size_t i = 0; i < bad.size(); ++i) {
    bool threw = false;
    try { st_parse(bad[i]); } catch (const Error& e) { threw = true; CHECK(std::strstr(e.what(), "safetensors") != nullptr); }
    if (!threw) kdtest::report(__FILE__, __LINE__, "bad file " + std::to_string(i) + " was accepted");
  }
  // Absurd header length, and one longer than the file.
  std::vector<uint8_t> absurd = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, '{', '}'};
  CHECK_THROWS(KD_ERR_ARGUMENT, st_parse(absurd));
  std::vector<uint8_t> long_header = {100, 0, 0, 0, 0, 0, 0, 0, '{', '}'};
  CHECK_THROWS(KD_ERR_ARGUMENT, st_parse(long_header));
  // Known but unsupported dtypes are named.
  try {
    st_parse(one("{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}", 4));
    CHECK(false);
  } catch (const Error& e) {
    CHECK_EQ(e.code(), KD_ERR_UNSUPPORTED);
    CHECK(std::strstr(e.what(), "F16, which is not supported yet") != nullptr);
  }
}

TEST(safetensors_reader_survives_every_truncation_of_a_good_file) {
  auto bytes = slurp(golden("dtypes.safetensors"));
  CHECK(bytes.size() > 100);
  CHECK_EQ(st_parse(bytes).tensors.size(), size_t(6));
  for (size_t n = 0; n < bytes.size(); ++n) {
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    CHECK_THROWS(KD_ERR_ARGUMENT, st_parse(cut));
  }
}

TEST(safetensors_bool_bytes_are_normalised) {
  auto b = with_header("{\"m\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[0,3]}}", 0);
  b.push_back(0);
  b.push_back(7);
  b.push_back(255);
  LoadedFile f = st_parse(b);
  CHECK(vals(f.tensors[0].tensor) == (std::vector<double>{0, 1, 1}));
}

static int count_temp_files(const std::string& dir) {
  int n = 0;
  DIR* d = opendir(dir.c_str());
  if (!d) return -1;
  while (dirent* e = readdir(d))
    if (std::strstr(e->d_name, ".tmp.")) ++n;
  closedir(d);
  return n;
}

TEST(safetensors_write_is_atomic_when_it_fails_midway) {
  char tmpl[] = "/tmp/kd_io_test_XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string path = dir + "/ckpt.safetensors";
  std::vector<NamedTensor> v1 = {{"w", f32({1, 2, 3}, Dims{3})}};
  write_safetensors(path, v1, {{"epoch", "1"}});
  auto good = slurp(path);
  std::vector<NamedTensor> v2 = {{"w", f32({4, 5, 6, 7, 8, 9, 10, 11}, Dims{8})}};
  for (int64_t fail_at : {0, 5, 8, 40, 90}) {
    CHECK_THROWS(KD_ERR_IO, write_safetensors(path, v2, {{"epoch", "2"}}, fail_at));
    CHECK(slurp(path) == good);
    CHECK_EQ(count_temp_files(dir), 0);
  }
  write_safetensors(path, v2, {{"epoch", "2"}});
  FileSource src(path);
  LoadedFile f = read_safetensors(src);
  CHECK_EQ(f.tensors[0].tensor.numel(), int64_t(8));
  CHECK_EQ(count_temp_files(dir), 0);
  // A directory that does not exist: an I/O error, nothing created.
  CHECK_THROWS(KD_ERR_IO, write_safetensors(dir + "/missing/x.safetensors", v1, {}));
  unlink(path.c_str());
  rmdir(dir.c_str());
}

// ---- zip + pickle (torch.save files)

static LoadedFile torch_load(const std::string& name) {
  FileSource src(golden(name));
  return read_torch_file(src);
}

TEST(torch_state_dict_loads_with_names_and_dtypes) {
  LoadedFile f = torch_load("small_state.pt");
  std::vector<std::string> names;
  for (auto& t : f.tensors) names.push_back(t.name);
  CHECK((names == std::vector<std::string>{"0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean",
                                            "1.running_var", "1.num_batches_tracked", "4.weight", "4.bias"}));
  CHECK(f.tensors[0].tensor.sizes() == (Dims{2, 1, 3, 3}));
  CHECK(f.tensors[6].tensor.dtype() == DType::Int64);
  CHECK_EQ(vals(f.tensors[6].tensor)[0], 3.0);
  CHECK(f.structure.rfind("{\"$ordered_dict\":[[\"0.weight\",{\"$tensor\":0}]", 0) == 0);
}

TEST(torch_views_share_storage_and_convert_dtypes) {
  for (const char* file : {"views.pt", "views_p4.pt"}) {
    LoadedFile f = torch_load(file);
    auto find = [&](const std::string& n) -> Tensor {
      for (auto& t : f.tensors) if (t.name == n) return t.tensor;
      kdtest::report(__FILE__, __LINE__, "missing " + n);
      return Tensor();
    };
    Tensor base = find("tensors.base"), col = find("tensors.col"), t = find("tensors.t");
    CHECK(base.storage() == col.storage());
    CHECK(base.storage() == t.storage());
    CHECK_EQ(col.offset(), int64_t(1));
    CHECK(vals(col) == (std::vector<double>{1, 5, 9}));
    CHECK(!t.is_contiguous());
    CHECK(vals(find("tensors.half")) == (std::vector<double>{0.5, -1.0, 65504.0, std::ldexp(1.0, -14)}));
    CHECK(find("tensors.bf16").dtype() == DType::Float32);
    CHECK(vals(find("tensors.i32")) == (std::vector<double>{-5, 2147483647}));
    CHECK(vals(find("tensors.u8")) == (std::vector<double>{0, 200, 255}));
    CHECK(find("tensors.mask").dtype() == DType::Bool);
    CHECK_EQ(find("tensors.empty").numel(), int64_t(0));
    CHECK(f.structure.find("[1,-2,1099511627776,1.25,{\"$float\":\"nan\"},{\"$float\":\"-inf\"},null,true,false,\"h\xc3\xa9llo \xe2\x9c\x93\"]") != std::string::npos);
    CHECK(f.structure.find("\"tuple\",{\"$tuple\":[3,\"x\"]}") != std::string::npos);
    CHECK(f.structure.find("[1,\"a\"],[2,[{\"$tensor\":") != std::string::npos);
  }
}

static void expect_refused(const std::string& file, const char* needle) {
  try {
    torch_load(file);
    kdtest::report(__FILE__, __LINE__, file + " was accepted");
  } catch (const Error& e) {
    if (!std::strstr(e.what(), needle)) kdtest::report(__FILE__, __LINE__, file + ": message lacks '" + needle + "': " + e.what());
  }
}

TEST(torch_files_beyond_the_safe_subset_are_refused) {
  expect_refused("evil_global.pt", "refusing to load global 'os.system'");
  expect_refused("evil_stack_global.pt", "refusing to load global 'builtins.eval'");
  expect_refused("evil_inst.pt", "INST");
  expect_refused("evil_build.pt", "BUILD on a list");
  expect_refused("device.pt", "refusing to load global 'torch.device'");
  expect_refused("legacy.pt", "legacy torch.save format");
  expect_refused("compressed.pt", "is compressed (method 8)");
  LoadedFile p = torch_load("param.pt");
  CHECK(vals(p.tensors[0].tensor) == (std::vector<double>{1, 2}));
}

TEST(torch_files_truncated_or_flipped_never_crash) {
  auto bytes = slurp(golden("checkpoint.pth.tar"));
  for (size_t n = 0; n < bytes.size(); n += 7) {
    MemorySource src(bytes.data(), n);
    CHECK_THROWS(KD_ERR_ARGUMENT, read_torch_file(src));
  }
  uint32_t seed = 12345;
  int ok = 0, refused = 0;
  for (int round = 0; round < 400; ++round) {
    std::vector<uint8_t> b = bytes;
    for (int k = 0; k < 3; ++k) {
      seed = seed * 1664525u + 1013904223u;
      b[(seed >> 8) % b.size()] ^= static_cast<uint8_t>(1u << (seed % 8));
    }
    MemorySource src(b.data(), b.size());
    try { read_torch_file(src); ++ok; } catch (const Error&) { ++refused; }
  }
  CHECK_EQ(ok + refused, 400);
  CHECK(refused > 0);
}

TEST(unpickler_limits_and_cycles) {
  StorageLoader none = [](const std::string&, TorchStorageType, int64_t) -> Ref<Storage> {
    kd::fail(KD_ERR_ARGUMENT, "no storages");
  };
  // l = []; l.append(l): a cycle must be refused when converted, not loop or leak.
  const uint8_t cyc[] = {0x80, 0x02, ']', 'q', 0, 'h', 0, 'a', '.'};
  Unpickler u(cyc, sizeof cyc, none, "t");
  PyObj* root = u.load();
  CHECK_THROWS(KD_ERR_ARGUMENT, to_loaded_file(root, "t"));
  // Opcodes after STOP are ignored; STOP with an empty stack is an error.
  const uint8_t empty[] = {0x80, 0x02, '.'};
  Unpickler u2(empty, sizeof empty, none, "t");
  CHECK_THROWS(KD_ERR_ARGUMENT, u2.load());
  // A big LONG1 that fits, and one that does not.
  const uint8_t big[] = {0x80, 0x02, 0x8a, 9, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, '.'};
  Unpickler u3(big, sizeof big, none, "t");
  CHECK_EQ(u3.load()->i, int64_t(-1));
  const uint8_t huge[] = {0x80, 0x02, 0x8a, 9, 0, 0, 0, 0, 0, 0, 0, 0, 1, '.'};
  Unpickler u4(huge, sizeof huge, none, "t");
  CHECK_THROWS(KD_ERR_ARGUMENT, u4.load());
}

// A stored zip written here, optionally in zip64 form (saturated 32-bit fields, zip64 extra
// fields, zip64 end record and locator), as archives over 4 GiB are written.
static void put16(std::vector<uint8_t>& b, uint32_t v) { for (int i = 0; i < 2; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i))); }
static void put32(std::vector<uint8_t>& b, uint32_t v) { for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i))); }
static void put64(std::vector<uint8_t>& b, uint64_t v) { for (int i = 0; i < 8; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i))); }

static std::vector<uint8_t> make_zip(const std::vector<std::pair<std::string, std::string>>& files, bool zip64) {
  std::vector<uint8_t> out, cd;
  for (const auto& f : files) {
    uint64_t local = out.size();
    uint32_t crc = crc32(f.second.data(), f.second.size());
    put32(out, 0x04034b50); put16(out, 20); put16(out, 0); put16(out, 0); put32(out, 0); put32(out, crc);
    put32(out, static_cast<uint32_t>(f.second.size())); put32(out, static_cast<uint32_t>(f.second.size()));
    put16(out, static_cast<uint32_t>(f.first.size())); put16(out, 0);
    out.insert(out.end(), f.first.begin(), f.first.end());
    out.insert(out.end(), f.second.begin(), f.second.end());
    uint32_t sat = 0xFFFFFFFFu;
    put32(cd, 0x02014b50); put16(cd, 45); put16(cd, 45); put16(cd, 0); put16(cd, 0); put32(cd, 0); put32(cd, crc);
    put32(cd, zip64 ? sat : static_cast<uint32_t>(f.second.size()));
    put32(cd, zip64 ? sat : static_cast<uint32_t>(f.second.size()));
    put16(cd, static_cast<uint32_t>(f.first.size())); put16(cd, zip64 ? 28 : 0); put16(cd, 0); put16(cd, 0); put16(cd, 0);
    put32(cd, 0); put32(cd, zip64 ? sat : static_cast<uint32_t>(local));
    cd.insert(cd.end(), f.first.begin(), f.first.end());
    if (zip64) { put16(cd, 1); put16(cd, 24); put64(cd, f.second.size()); put64(cd, f.second.size()); put64(cd, local); }
  }
  uint64_t cd_offset = out.size();
  out.insert(out.end(), cd.begin(), cd.end());
  if (zip64) {
    uint64_t rec = out.size();
    put32(out, 0x06064b50); put64(out, 44); put16(out, 45); put16(out, 45); put32(out, 0); put32(out, 0);
    put64(out, files.size()); put64(out, files.size()); put64(out, cd.size()); put64(out, cd_offset);
    put32(out, 0x07064b50); put32(out, 0); put64(out, rec); put32(out, 1);
  }
  put32(out, 0x06054b50); put16(out, 0); put16(out, 0);
  put16(out, zip64 ? 0xFFFF : static_cast<uint32_t>(files.size())); put16(out, zip64 ? 0xFFFF : static_cast<uint32_t>(files.size()));
  put32(out, zip64 ? 0xFFFFFFFFu : static_cast<uint32_t>(cd.size())); put32(out, zip64 ? 0xFFFFFFFFu : static_cast<uint32_t>(cd_offset));
  put16(out, 0);
  return out;
}

TEST(zip64_archives_read_like_plain_ones) {
  // Repack PyTorch's small_state.pt both ways; the torch reader must give the same tensors.
  auto golden_bytes = slurp(golden("small_state.pt"));
  MemorySource gsrc(golden_bytes.data(), golden_bytes.size());
  ZipReader gz(gsrc);
  std::vector<std::pair<std::string, std::string>> files;
  for (const ZipEntry& e : gz.entries()) files.emplace_back(e.name, gz.read_string(e, 1 << 20));
  for (bool z64 : {false, true}) {
    auto bytes = make_zip(files, z64);
    MemorySource src(bytes.data(), bytes.size());
    ZipReader z(src);
    CHECK_EQ(z.entries().size(), files.size());
    CHECK(z.find("small_state/data.pkl") != nullptr);
    LoadedFile f = read_torch_file(src);
    CHECK_EQ(f.tensors.size(), size_t(9));
    CHECK(f.tensors[0].tensor.sizes() == (Dims{2, 1, 3, 3}));
    // One flipped data byte fails the CRC check.
    bytes[30 + 20 + 5] ^= 1;  // inside data.pkl's bytes
    MemorySource bad(bytes.data(), bytes.size());
    try {
      read_torch_file(bad);
      CHECK(false);
    } catch (const Error& e) {
      CHECK(std::strstr(e.what(), "fails its CRC-32 check") != nullptr);
    }
  }
}

TEST(crc32_known_value) {
  CHECK_EQ(crc32("123456789", 9), 0xCBF43926u);
}
