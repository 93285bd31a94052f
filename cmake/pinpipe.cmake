# Helpers that keep every module's CMakeLists.txt to a few lines.

# pinpipe_library(<module> SOURCES ... [DEPS ...] [PRIVATE_DEPS ...])
# Defines the static library pinpipe_<module> with src/ as its include root.
function(pinpipe_library module)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(pinpipe_${module} STATIC ${ARG_SOURCES})
  target_include_directories(pinpipe_${module} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(pinpipe_${module} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# pinpipe_test(<name> SOURCES ... DEPS ...)
# A GoogleTest binary whose tests are discovered when ctest runs (label: unit).
function(pinpipe_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} pinpipe_test_support GTest::gtest GTest::gmock GTest::gtest_main)
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  gtest_discover_tests(${name}
    DISCOVERY_MODE PRE_TEST
    PROPERTIES LABELS unit TIMEOUT ${ARG_TIMEOUT}
               ENVIRONMENT "PINPIPE_BIN=$<TARGET_FILE:pinpipe>"
               # A second variable via its own property: gtest_discover_tests
               # splits a semicolon list in ENVIRONMENT into separate values.
               ENVIRONMENT_MODIFICATION "PINPIPE_SOURCE_DIR=set:${PROJECT_SOURCE_DIR}")
endfunction()

# pinpipe_integration_test(<name> SOURCES ... DEPS ...)
# A GoogleTest binary run as one ctest case (label: integration), so a real
# service it starts in SetUpTestSuite is started once per binary.
function(pinpipe_integration_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} pinpipe_test_support GTest::gtest GTest::gmock GTest::gtest_main)
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 600)
  endif()
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS integration TIMEOUT ${ARG_TIMEOUT}
    ENVIRONMENT "PINPIPE_BIN=$<TARGET_FILE:pinpipe>;PINPIPE_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()

# pinpipe_module(<module> [DEPS ...] [PRIVATE_DEPS ...] [TEST_DEPS ...])
# The library pinpipe_<module> from every *.cc in this folder except *_test.cc,
# and the unit-test binary <module>_test from every *_test.cc. Adding a file
# to a module needs no CMake edit.
function(pinpipe_module module)
  cmake_parse_arguments(ARG "" "" "DEPS;PRIVATE_DEPS;TEST_DEPS" ${ARGN})
  file(GLOB all_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  file(GLOB test_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_test.cc)
  set(lib_sources ${all_sources})
  if(test_sources)
    list(REMOVE_ITEM lib_sources ${test_sources})
  endif()
  if(NOT lib_sources)
    return()  # a module not written yet
  endif()
  pinpipe_library(${module} SOURCES ${lib_sources} DEPS ${ARG_DEPS} PRIVATE_DEPS ${ARG_PRIVATE_DEPS})
  if(test_sources)
    pinpipe_test(${module}_test SOURCES ${test_sources} DEPS pinpipe_${module} ${ARG_TEST_DEPS})
  endif()
endfunction()

# Every pinpipe_<module> library that exists, for binaries that exercise the
# whole pipeline (integration tests, fuzzers, benchmarks).
function(pinpipe_all_modules out)
  set(result "")
  foreach(m core metrics io pin bus bus_log bus_kafka ingest emulate lake sinks_sqlite
          sinks_postgres sinks_clickhouse jobs schedule)
    if(TARGET pinpipe_${m})
      list(APPEND result pinpipe_${m})
    endif()
  endforeach()
  set(${out} ${result} PARENT_SCOPE)
endfunction()
