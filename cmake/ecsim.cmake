# ecsim_add_test(NAME SOURCES src... DEPS lib... [LABELS label...] [TIMEOUT s])
# One GoogleTest executable, its tests discovered into ctest with labels so the
# fast set (label "unit") stays fast.
function(ecsim_add_test name)
  if(NOT ECSIM_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_DEPS} GTest::gmock GTest::gtest_main)
  gtest_discover_tests(${name}
    DISCOVERY_TIMEOUT 60
    PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT})
endfunction()

# Heavy third-party headers compiled once per target.
function(ecsim_precompile target)
  target_precompile_headers(${target} PRIVATE
    <nlohmann/json.hpp> <fmt/format.h> <string> <vector> <map> <memory> <functional>)
endfunction()
