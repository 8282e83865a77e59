# KINDLING_SANITIZE=address;undefined builds everything with those sanitizers (for CI and fuzzing).
set(KINDLING_SANITIZE "" CACHE STRING "Sanitizers to enable (e.g. address;undefined)")
if(KINDLING_SANITIZE)
  string(REPLACE ";" "," _kd_san "${KINDLING_SANITIZE}")
  # Quoted: the generator expression holds a list, which an unquoted argument would split.
  add_compile_options("$<$<COMPILE_LANGUAGE:C,CXX>:-fsanitize=${_kd_san};-fno-omit-frame-pointer;-fno-sanitize-recover=all>")
  add_link_options(-fsanitize=${_kd_san})
endif()
