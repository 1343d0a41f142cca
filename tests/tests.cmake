# Test registration. Every tests/unit/test_*.c is a C unit test executable (linked with
# rlcore); every tests/cli/*.sh and tests/integration/*.sh is a shell test run with the
# built binary in RL_BIN. Adding a test file needs no edit here.
file(GLOB RL_UNIT_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/unit/test_*.c)
foreach(src ${RL_UNIT_TESTS})
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src} ${CMAKE_SOURCE_DIR}/tests/unit/tap.c)
  target_link_libraries(${name} PRIVATE rlcore)
  add_test(NAME unit/${name} COMMAND ${name})
  set_tests_properties(unit/${name} PROPERTIES
    ENVIRONMENT "RL_FIXTURES=${CMAKE_SOURCE_DIR}/tests/fixtures;RL_SRC=${CMAKE_SOURCE_DIR}"
    LABELS unit)
endforeach()

foreach(kind cli integration)
  file(GLOB RL_SH_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/${kind}/*.sh)
  foreach(script ${RL_SH_TESTS})
    get_filename_component(name ${script} NAME_WE)
    add_test(NAME ${kind}/${name} COMMAND bash ${script})
    set_tests_properties(${kind}/${name} PROPERTIES
      ENVIRONMENT "RL_BIN=$<TARGET_FILE:redis-light>;RL_FIXTURES=${CMAKE_SOURCE_DIR}/tests/fixtures;RL_SRC=${CMAKE_SOURCE_DIR};RL_BUILD=${CMAKE_BINARY_DIR}"
      LABELS ${kind}
      SKIP_RETURN_CODE 77
      TIMEOUT 900)
  endforeach()
endforeach()

# Fuzz targets (tests/fuzz/fuzz_*.c). Every build replays each target's corpus and kept
# crash inputs (tests/fuzz/corpus/<target>/) through tests/fuzz/replay.c; with
# -DRL_FUZZ=ON and clang, real libFuzzer binaries are built too (scripts/fuzz runs them).
file(GLOB RL_FUZZ_TARGETS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_*.c)
foreach(src ${RL_FUZZ_TARGETS})
  get_filename_component(name ${src} NAME_WE)
  string(REPLACE "fuzz_" "" target ${name})
  add_executable(replay_${target} ${src} ${CMAKE_SOURCE_DIR}/tests/fuzz/replay.c)
  target_link_libraries(replay_${target} PRIVATE rlcore)
  add_test(NAME fuzz-replay/${target}
           COMMAND replay_${target} ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/${target})
  set_tests_properties(fuzz-replay/${target} PROPERTIES LABELS unit)
  if(RL_FUZZ)
    add_executable(${name} ${src})
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    target_link_libraries(${name} PRIVATE rlcore)
  endif()
endforeach()
