# ccmon_unit_test(<name> <target>): the ctest <name> runs the Catch2 binary
# <target> (built with $<TARGET_OBJECTS:ccmon_catch_main>), label `unit`.
# Exit 77 means a case was skipped with WARN("SKIPPED: ...")
# (tests/catch_main.cpp): ctest shows the test as skipped, not passed.
function(ccmon_unit_test name target)
  add_test(NAME ${name} COMMAND ${target})
  set_tests_properties(${name} PROPERTIES LABELS unit SKIP_RETURN_CODE 77)
endfunction()
