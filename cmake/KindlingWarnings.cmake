# Warnings for Kindling's own targets (not for third-party code); C++ sources only (nvcc has its
# own warning flags and passes host-compiler ones through -Xcompiler).
function(kindling_set_warnings target)
  if(MSVC)  # windows-x86_64 (cl.exe, as JavaCPP uses there): GCC-style flags do not exist
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:/W3 /permissive- /utf-8>)
    if(KINDLING_WERROR)
      target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:/WX>)
    endif()
    return()
  endif()
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wno-unused-parameter -Wno-sign-compare>)
  if(KINDLING_WERROR)
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-Werror>)
  endif()
endfunction()
