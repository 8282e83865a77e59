// Recursive-descent JSON parser with a depth limit, and serde_json-compatible string escaping.
#include "io/json.h"

#include "core/error.h"

namespace kd::io {

namespace {

class Parser {
 public:
  Parser(std::string_view s, const char* what, const JsonLimits& lim) : s_(s), what_(what), lim_(lim) {}

  Json parse_document() {
    skip_ws();
    Json v = value(0);
    skip_ws();
    if (pos_ != s_.size()) error("unexpected trailing characters");
    return v;
  }

 private:
  std::string_view s_;
  const char* what_;
  const JsonLimits& lim_;
  size_t pos_ = 0;

  [[noreturn]] void error(const char* msg) const {
    kd::fail(KD_ERR_ARGUMENT, what_, ": invalid JSON: ", msg, " at byte ", pos_);
  }

  bool at_end() const { return pos_ >= s_.size(); }
  char peek() const { return at_end() ? '\0' : s_[pos_]; }

  void skip_ws() {
    while (!at_end()) {
      char c = s_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') ++pos_;
      else break;
    }
  }

  void expect(char c, const char* msg) {
    if (peek() != c || at_end()) error(msg);
    ++pos_;
  }

  void literal(const char* word) {
    for (const char* p = word; *p; ++p) {
      if (at_end() || s_[pos_] != *p) error("invalid literal");
      ++pos_;
    }
  }

  Json value(int depth) {
    if (depth >= lim_.max_depth) error("nesting too deep");
    if (at_end()) error("unexpected end of input");
    Json v;
    char c = s_[pos_];
    switch (c) {
      case '{': object(v, depth); break;
      case '[': array(v, depth); break;
      case '"': v.type = Json::Type::String; v.text = string(); break;
      case 't': literal("true"); v.type = Json::Type::Bool; v.boolean = true; break;
      case 'f': literal("false"); v.type = Json::Type::Bool; v.boolean = false; break;
      case 'n': literal("null"); v.type = Json::Type::Null; break;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          v.type = Json::Type::Number;
          v.text = number();
        } else {
          error("unexpected character");
        }
    }
    return v;
  }

  void object(Json& v, int depth) {
    v.type = Json::Type::Object;
    ++pos_;  // {
    skip_ws();
    if (peek() == '}' && !at_end()) { ++pos_; return; }
    for (;;) {
      skip_ws();
      if (peek() != '"' || at_end()) error("expected a string key");
      std::string key = string();
      skip_ws();
      expect(':', "expected ':'");
      skip_ws();
      v.members.emplace_back(std::move(key), value(depth + 1));
      skip_ws();
      if (peek() == ',' && !at_end()) { ++pos_; continue; }
      expect('}', "expected ',' or '}'");
      return;
    }
  }

  void array(Json& v, int depth) {
    v.type = Json::Type::Array;
    ++pos_;  // [
    skip_ws();
    if (peek() == ']' && !at_end()) { ++pos_; return; }
    for (;;) {
      skip_ws();
      v.items.push_back(value(depth + 1));
      skip_ws();
      if (peek() == ',' && !at_end()) { ++pos_; continue; }
      expect(']', "expected ',' or ']'");
      return;
    }
  }

  std::string number() {
    size_t start = pos_;
    if (peek() == '-') ++pos_;
    if (at_end()) error("bad number");
    if (s_[pos_] == '0') {
      ++pos_;
    } else if (s_[pos_] >= '1' && s_[pos_] <= '9') {
      while (!at_end() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
    } else {
      error("bad number");
    }
    if (!at_end() && s_[pos_] == '.') {
      ++pos_;
      if (at_end() || s_[pos_] < '0' || s_[pos_] > '9') error("bad number: digit expected after '.'");
      while (!at_end() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
    }
    if (!at_end() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (!at_end() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (at_end() || s_[pos_] < '0' || s_[pos_] > '9') error("bad number: digit expected in exponent");
      while (!at_end() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
    }
    return std::string(s_.substr(start, pos_ - start));
  }

  unsigned hex4() {
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      if (at_end()) error("truncated \\u escape");
      char c = s_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= c - '0';
      else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
      else error("bad hex digit in \\u escape");
    }
    return v;
  }

  static void put_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  // The input was checked to be valid UTF-8 before parsing, so raw bytes are copied as they are.
  std::string string() {
    ++pos_;  // "
    std::string out;
    for (;;) {
      if (at_end()) error("unterminated string");
      unsigned char c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') { ++pos_; return out; }
      if (c < 0x20) error("control character in string");
      if (c != '\\') { out += static_cast<char>(c); ++pos_; continue; }
      ++pos_;
      if (at_end()) error("unterminated escape");
      char e = s_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          uint32_t cp = hex4();
          if (cp >= 0xDC00 && cp <= 0xDFFF) error("lone low surrogate in \\u escape");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (pos_ + 1 >= s_.size() || s_[pos_] != '\\' || s_[pos_ + 1] != 'u') error("lone high surrogate in \\u escape");
            pos_ += 2;
            uint32_t lo = hex4();
            if (lo < 0xDC00 || lo > 0xDFFF) error("bad low surrogate in \\u escape");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          put_utf8(out, cp);
          break;
        }
        default: error("bad escape");
      }
    }
  }
};

}  // namespace

bool Json::as_u64(uint64_t& out) const {
  if (type != Type::Number || text.empty()) return false;
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  out = v;
  return true;
}

const Json* Json::find(std::string_view key) const {
  for (const auto& m : members)
    if (m.first == key) return &m.second;
  return nullptr;
}

bool valid_utf8(std::string_view s) {
  size_t i = 0, n = s.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) { ++i; continue; }
    int len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; }
    else return false;
    if (i + len > n) return false;
    for (int k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += len;
  }
  return true;
}

Json parse_json(std::string_view text, const char* what, const JsonLimits& limits) {
  if (text.size() > limits.max_size)
    kd::fail(KD_ERR_ARGUMENT, what, ": JSON text of ", text.size(), " bytes exceeds the limit of ", limits.max_size);
  if (!valid_utf8(text)) kd::fail(KD_ERR_ARGUMENT, what, ": JSON text is not valid UTF-8");
  return Parser(text, what, limits).parse_document();
}

void append_json_string(std::string& out, std::string_view s) {
  static const char* hex = "0123456789abcdef";
  out += '"';
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 0xF];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

}  // namespace kd::io
