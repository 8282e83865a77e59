package dev.kindling.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The small strict JSON reader and writer that checkpoints use for their metadata and that reads
 * the container structure of torch.save files. Objects become {@link LinkedHashMap} (document
 * order), arrays {@link ArrayList}, integer literals {@link Long}, other numbers {@link Double};
 * non-finite doubles are written as {@code {"$float": "nan" | "inf" | "-inf"}} (JSON has none).
 */
final class Json {
  private static final int MAX_DEPTH = 400;  // torch structures nest up to 100 levels, 3 JSON levels each
  private final String s;
  private int pos;

  private Json(String s) {
    this.s = s;
  }

  /** Parses one JSON value; an IllegalArgumentException naming `what` and the position on error. */
  static Object parse(String text, String what) {
    Json p = new Json(text);
    p.ws();
    Object v = p.value(0, what);
    p.ws();
    if (p.pos != text.length()) throw p.error(what, "unexpected trailing characters");
    return v;
  }

  private IllegalArgumentException error(String what, String msg) {
    return new IllegalArgumentException(what + ": invalid JSON: " + msg + " at character " + pos);
  }

  private void ws() {
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') pos++;
      else break;
    }
  }

  private char peek(String what) {
    if (pos >= s.length()) throw error(what, "unexpected end");
    return s.charAt(pos);
  }

  private void expect(char c, String what) {
    if (peek(what) != c) throw error(what, "expected '" + c + "'");
    pos++;
  }

  private Object value(int depth, String what) {
    if (depth > MAX_DEPTH) throw error(what, "nesting too deep");
    char c = peek(what);
    switch (c) {
      case '{': {
        pos++;
        Map<String, Object> m = new LinkedHashMap<>();
        ws();
        if (peek(what) == '}') {
          pos++;
          return m;
        }
        while (true) {
          ws();
          if (peek(what) != '"') throw error(what, "expected a string key");
          String k = string(what);
          ws();
          expect(':', what);
          ws();
          if (m.containsKey(k)) throw error(what, "duplicate key '" + k + "'");
          m.put(k, value(depth + 1, what));
          ws();
          if (peek(what) == ',') {
            pos++;
            continue;
          }
          expect('}', what);
          return m;
        }
      }
      case '[': {
        pos++;
        List<Object> l = new ArrayList<>();
        ws();
        if (peek(what) == ']') {
          pos++;
          return l;
        }
        while (true) {
          ws();
          l.add(value(depth + 1, what));
          ws();
          if (peek(what) == ',') {
            pos++;
            continue;
          }
          expect(']', what);
          return l;
        }
      }
      case '"':
        return string(what);
      case 't':
        word("true", what);
        return Boolean.TRUE;
      case 'f':
        word("false", what);
        return Boolean.FALSE;
      case 'n':
        word("null", what);
        return null;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return number(what);
        throw error(what, "unexpected character '" + c + "'");
    }
  }

  private void word(String w, String what) {
    if (!s.startsWith(w, pos)) throw error(what, "invalid literal");
    pos += w.length();
  }

  private Object number(String what) {
    int start = pos;
    boolean integral = true;
    if (s.charAt(pos) == '-') pos++;
    if (pos >= s.length() || !Character.isDigit(s.charAt(pos))) throw error(what, "bad number");
    if (s.charAt(pos) == '0') pos++;
    else while (pos < s.length() && Character.isDigit(s.charAt(pos))) pos++;
    if (pos < s.length() && s.charAt(pos) == '.') {
      integral = false;
      pos++;
      if (pos >= s.length() || !Character.isDigit(s.charAt(pos))) throw error(what, "bad number");
      while (pos < s.length() && Character.isDigit(s.charAt(pos))) pos++;
    }
    if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
      integral = false;
      pos++;
      if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) pos++;
      if (pos >= s.length() || !Character.isDigit(s.charAt(pos))) throw error(what, "bad number");
      while (pos < s.length() && Character.isDigit(s.charAt(pos))) pos++;
    }
    String lit = s.substring(start, pos);
    if (integral) {
      try {
        return Long.parseLong(lit);
      } catch (NumberFormatException e) {
        throw error(what, "integer " + lit + " does not fit in 64 bits");
      }
    }
    return Double.parseDouble(lit);
  }

  private String string(String what) {
    pos++;
    StringBuilder sb = new StringBuilder();
    while (true) {
      char c = peek(what);
      pos++;
      if (c == '"') return sb.toString();
      if (c < 0x20) throw error(what, "control character in string");
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      char e = peek(what);
      pos++;
      switch (e) {
        case '"': sb.append('"'); break;
        case '\\': sb.append('\\'); break;
        case '/': sb.append('/'); break;
        case 'b': sb.append('\b'); break;
        case 'f': sb.append('\f'); break;
        case 'n': sb.append('\n'); break;
        case 'r': sb.append('\r'); break;
        case 't': sb.append('\t'); break;
        case 'u': {
          if (pos + 4 > s.length()) throw error(what, "truncated \\u escape");
          try {
            sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
          } catch (NumberFormatException ex) {
            throw error(what, "bad \\u escape");
          }
          pos += 4;
          break;
        }
        default:
          throw error(what, "bad escape");
      }
    }
  }

  /** Writes strings, numbers, booleans, null, lists and string-keyed maps. */
  static String write(Object v) {
    StringBuilder sb = new StringBuilder();
    write(sb, v);
    return sb.toString();
  }

  static void write(StringBuilder sb, Object v) {
    if (v == null) {
      sb.append("null");
    } else if (v instanceof String str) {
      quote(sb, str);
    } else if (v instanceof Boolean b) {
      sb.append(b);
    } else if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (Double.isNaN(d)) sb.append("{\"$float\":\"nan\"}");
      else if (Double.isInfinite(d)) sb.append(d > 0 ? "{\"$float\":\"inf\"}" : "{\"$float\":\"-inf\"}");
      else sb.append(Double.toString(d));  // always has '.' or 'E': read back as a Double
    } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      sb.append(((Number) v).longValue());
    } else if (v instanceof List<?> l) {
      sb.append('[');
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) sb.append(',');
        write(sb, l.get(i));
      }
      sb.append(']');
    } else if (v instanceof Map<?, ?> m) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) sb.append(',');
        first = false;
        quote(sb, (String) e.getKey());
        sb.append(':');
        write(sb, e.getValue());
      }
      sb.append('}');
    } else {
      throw new IllegalArgumentException("cannot write a " + v.getClass().getName() + " as JSON");
    }
  }

  static void quote(StringBuilder sb, String str) {
    sb.append('"');
    for (int i = 0; i < str.length(); i++) {
      char c = str.charAt(i);
      switch (c) {
        case '"': sb.append("\\\""); break;
        case '\\': sb.append("\\\\"); break;
        case '\n': sb.append("\\n"); break;
        case '\r': sb.append("\\r"); break;
        case '\t': sb.append("\\t"); break;
        case '\b': sb.append("\\b"); break;
        case '\f': sb.append("\\f"); break;
        default:
          if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
          else sb.append(c);
      }
    }
    sb.append('"');
  }

  /** {"$float": "nan"} and friends back to a double; null when m is not such a tag. */
  static Double taggedFloat(Map<?, ?> m) {
    if (m.size() != 1 || !(m.get("$float") instanceof String s)) return null;
    switch (s) {
      case "nan": return Double.NaN;
      case "inf": return Double.POSITIVE_INFINITY;
      case "-inf": return Double.NEGATIVE_INFINITY;
      default: return null;
    }
  }
}
