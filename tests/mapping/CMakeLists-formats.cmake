# Partner formats through their mappings (web form, lettershop XML, call centre XML,
# TMF699 SalesLead, BIAN Lead/Opportunity): schemas, `leadhub map`, `leadhub import`.
# Include this file from tests/CMakeLists.txt (include(mapping/CMakeLists-formats.cmake))
# or from a tests/mapping/CMakeLists.txt. CMAKE_CURRENT_LIST_DIR is this file's folder
# either way (CMAKE_CURRENT_SOURCE_DIR would be tests/ when included from there).
add_test(NAME mapping_formats COMMAND /usr/bin/python3 ${CMAKE_CURRENT_LIST_DIR}/formats_test.py $<TARGET_FILE:leadhub> ${PROJECT_SOURCE_DIR})
set_tests_properties(mapping_formats PROPERTIES LABELS "mapping;integration" TIMEOUT 600)
# Messy partner files (spreadsheet exports, XML and JSON as other tools write them,
# web-form posts) through `leadhub import` and POST /api/v1/imports alike.
add_test(NAME mapping_messy_input COMMAND /usr/bin/python3 ${CMAKE_CURRENT_LIST_DIR}/messy_input_test.py $<TARGET_FILE:leadhub> ${PROJECT_SOURCE_DIR})
set_tests_properties(mapping_messy_input PROPERTIES LABELS "mapping;integration" TIMEOUT 300)
