# BLAS discovery. Kindling links the OpenBLAS that ships inside the org.bytedeco:openblas jar
# (never a system package): Maven unpacks that jar and passes KINDLING_BLAS_DIR, the folder that
# holds libopenblas.so.0 and include/cblas.h. At run time JavaCPP has already loaded that library
# (by its soname) before libkindling, so no RPATH to it is needed in the shipped library.
#
# KINDLING_BLAS_DIR=builtin instead compiles src/blas_builtin (plain blocked loops for the few
# CBLAS routines the core calls): for machines without OpenBLAS and without network, such as the
# GPU check machine (ci/gpu-check.sh). Correct, single-threaded, much slower than OpenBLAS.
# A STRING, not a PATH: CMake would turn a relative "builtin" into an absolute path.
set(KINDLING_BLAS_DIR "" CACHE STRING "Folder with libopenblas.so.0 and include/cblas.h, or 'builtin'")
set(KINDLING_BLAS_BUILTIN OFF)
if(KINDLING_BLAS_DIR STREQUAL "builtin")
  set(KINDLING_BLAS_BUILTIN ON)
  message(STATUS "Kindling: builtin BLAS (src/blas_builtin), no OpenBLAS")
  add_library(kindling_blas STATIC "${PROJECT_SOURCE_DIR}/src/blas_builtin/blas_builtin.cpp")
  target_include_directories(kindling_blas PUBLIC "${PROJECT_SOURCE_DIR}/src/blas_builtin")
  return()
endif()
if(NOT KINDLING_BLAS_DIR)
  message(FATAL_ERROR "KINDLING_BLAS_DIR is not set: run the build through Maven (mvn install), "
                      "or pass -DKINDLING_BLAS_DIR=<unpacked org.bytedeco:openblas platform jar>/org/bytedeco/openblas/linux-x86_64")
endif()
find_path(KINDLING_CBLAS_INCLUDE cblas.h PATHS "${KINDLING_BLAS_DIR}/include" NO_DEFAULT_PATH REQUIRED)
find_file(KINDLING_OPENBLAS_LIB NAMES libopenblas.so.0 libopenblas.so libopenblas.0.dylib openblas.dll
          PATHS "${KINDLING_BLAS_DIR}" "${KINDLING_BLAS_DIR}/lib" NO_DEFAULT_PATH REQUIRED)
add_library(kindling_blas INTERFACE)
target_include_directories(kindling_blas SYSTEM INTERFACE "${KINDLING_CBLAS_INCLUDE}")
target_link_libraries(kindling_blas INTERFACE "${KINDLING_OPENBLAS_LIB}")
# OpenBLAS 0.3.31's arm64 openblas_config.h declares `typedef _Float16 hfloat16` for any GCC >= 12,
# but g++ accepts _Float16 in C++ only from GCC 13 (GCC 12 has it in C alone): with Debian 12's
# aarch64 g++ 12 (the linux-arm64 cross build) cblas.h does not compile. Kindling never calls the
# half-precision routines that use hfloat16, so spelling it as GCC's ARM half type __fp16 (same
# size and layout) for that one compiler is enough.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13
   AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12 AND CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
  target_compile_definitions(kindling_blas INTERFACE _Float16=__fp16)
endif()
