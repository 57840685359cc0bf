# Build settings shared by every ringlog target, and the two helpers we allow ourselves.

# Warnings as errors for our own code only: an INTERFACE target every ringlog target links.
add_library(ringlog_warnings INTERFACE)
target_compile_options(ringlog_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Werror -Wno-missing-field-initializers -Wno-gnu-zero-variadic-macro-arguments)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # GCC 12 misfires these on coroutine frames and std::variant.
  target_compile_options(ringlog_warnings INTERFACE -Wno-maybe-uninitialized -Wno-mismatched-new-delete)
endif()

add_library(ringlog_options INTERFACE)
target_include_directories(ringlog_options INTERFACE ${PROJECT_SOURCE_DIR})
target_compile_options(ringlog_options INTERFACE -march=x86-64-v2 -fno-omit-frame-pointer)
if(RINGLOG_SANITIZE)
  target_compile_options(ringlog_options INTERFACE -fsanitize=address,undefined -fno-sanitize-recover=undefined)
  target_link_options(ringlog_options INTERFACE -fsanitize=address,undefined)
  target_compile_definitions(ringlog_options INTERFACE RINGLOG_SANITIZE=1)
endif()

find_package(GTest REQUIRED)

# ringlog_add_test(NAME SOURCES... LIBS ... [LABELS ...]): one GoogleTest binary, registered with ctest.
function(ringlog_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gtest_main ringlog_options ringlog_warnings)
  include(GoogleTest)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT 300)
endfunction()

# ringlog_add_bench(NAME SOURCES... LIBS ...): one Google Benchmark binary in bench/micro.
function(ringlog_add_bench name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  find_package(benchmark REQUIRED)
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} benchmark::benchmark ringlog_options ringlog_warnings)
endfunction()
