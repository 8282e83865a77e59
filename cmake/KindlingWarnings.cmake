# Warnings for Kindling's own targets (not for third-party code).
function(kindling_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-unused-parameter
                                           -Wno-sign-compare)
  if(KINDLING_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
