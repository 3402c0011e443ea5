add_test(NAME mapping_sap COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/sap_test.py $<TARGET_FILE:leadhub> ${PROJECT_SOURCE_DIR})
set_tests_properties(mapping_sap PROPERTIES LABELS "mapping;integration" TIMEOUT 300)
