# The parser fuzzers (fuzz/, libFuzzer with clang) as one ctest entry, labelled
# "fuzz" so ordinary runs skip it unless asked: ctest -L fuzz
add_test(NAME fuzz_parsers COMMAND bash ${PROJECT_SOURCE_DIR}/scripts/fuzz.sh 15)
set_tests_properties(fuzz_parsers PROPERTIES LABELS "fuzz" TIMEOUT 900)
