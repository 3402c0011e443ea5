# The parser fuzzers (fuzz/, libFuzzer with clang) as one ctest entry of the full
# suite, labelled "fuzz" (ctest -L fuzz runs it alone, -LE fuzz skips it). Most of its time is
# building core/ and mapping/ again with clang (330 s in CI, 900 s and more when the
# machine is shared), hence the long timeout.
add_test(NAME fuzz_parsers COMMAND bash ${PROJECT_SOURCE_DIR}/scripts/fuzz.sh 15)
set_tests_properties(fuzz_parsers PROPERTIES LABELS "fuzz" TIMEOUT 1800)
