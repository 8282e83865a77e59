# Warnings for Kindling's own targets (not for third-party code); C++ sources only (nvcc has its
# own warning flags and passes host-compiler ones through -Xcompiler).
function(kindling_set_warnings target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wno-unused-parameter -Wno-sign-compare>)
  if(KINDLING_WERROR)
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-Werror>)
  endif()
endfunction()
