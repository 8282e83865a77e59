// A small strict JSON reader and writer for file headers (safetensors) and the container
// structure handed to Java. Why our own: the core has no dependencies, and a parser that reads
// untrusted files must be small enough to audit and fuzz. Strict means RFC 8259 only (no comments,
// trailing commas, NaN, lone surrogates or invalid UTF-8), with limits on depth and size so that
// no input can exhaust the stack or memory.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kd::io {

class Json {
 public:
  enum class Type { Null, Bool, Number, String, Array, Object };

  Type type = Type::Null;
  bool boolean = false;
  std::string text;  // a string's value, or a number's literal exactly as written
  std::vector<Json> items;                            // Array
  std::vector<std::pair<std::string, Json>> members;  // Object, in document order

  bool is_null() const { return type == Type::Null; }
  bool is_string() const { return type == Type::String; }
  bool is_number() const { return type == Type::Number; }
  bool is_array() const { return type == Type::Array; }
  bool is_object() const { return type == Type::Object; }
  // A number written as a non-negative integer literal that fits in uint64 (no sign, fraction or
  // exponent); false otherwise.
  bool as_u64(uint64_t& out) const;
  // The member under key, or null when absent (first one when repeated).
  const Json* find(std::string_view key) const;
};

struct JsonLimits {
  int max_depth = 64;
  size_t max_size = 100u * 1000 * 1000;  // bytes of text
};

// Parses one JSON value (surrounded by optional whitespace). Throws kd::Error with
// KD_ERR_ARGUMENT and a message "<what>: <problem> at byte <n>" on any violation.
Json parse_json(std::string_view text, const char* what, const JsonLimits& limits = {});

// True when s is well-formed UTF-8 (no overlongs, surrogates or code points above U+10FFFF).
bool valid_utf8(std::string_view s);

// Appends s as a JSON string literal, escaped the way serde_json does (", \, \b \f \n \r \t, other
// control characters as \u00XX; everything else, non-ASCII included, written as is).
void append_json_string(std::string& out, std::string_view s);

}  // namespace kd::io
