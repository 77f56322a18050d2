# SPDX-License-Identifier: GPL-3.0-or-later
# Helpers the folders share to declare their targets.

# Where an installed library or module finds libmemscope_core.so:
# lib/memscope/ beside the workbench module, plugins one folder below.
set(MEMSCOPE_PRIVATE_LIBDIR ${CMAKE_INSTALL_LIBDIR}/memscope)

# memscope_add_plugin(NAME SOURCES... [MANIFEST file.json])
# An importer loaded at run time: a shared module exporting
# `memscope_create_importer`, linked against the one shared core, with its
# manifest (name, ABI, formats) copied beside it. memscope reads the manifest
# before it loads the module, and skips a plugin built for another ABI.
function(memscope_add_plugin name)
    cmake_parse_arguments(P "" "MANIFEST" "" ${ARGN})
    add_library(${name} MODULE ${P_UNPARSED_ARGUMENTS})
    target_link_libraries(${name} PRIVATE memscope_core)
    set_target_properties(${name} PROPERTIES
        PREFIX ""
        LIBRARY_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/plugins
        CXX_VISIBILITY_PRESET hidden
        INSTALL_RPATH "$ORIGIN/..")
    install(TARGETS ${name} LIBRARY DESTINATION ${MEMSCOPE_PRIVATE_LIBDIR}/plugins)
    if(P_MANIFEST)
        configure_file(${P_MANIFEST} ${PROJECT_BINARY_DIR}/plugins/${name}.json @ONLY)
        install(FILES ${PROJECT_BINARY_DIR}/plugins/${name}.json
            DESTINATION ${MEMSCOPE_PRIVATE_LIBDIR}/plugins)
    endif()
endfunction()

# memscope_add_test(NAME SOURCES... LIBS...): a Qt Test executable run by
# ctest offscreen, with its own HOME so settings never leak between tests.
function(memscope_add_test name)
    cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
    add_executable(${name} ${T_SOURCES})
    set_target_properties(${name} PROPERTIES AUTOMOC ON)
    target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
    target_compile_definitions(${name} PRIVATE
        MEMSCOPE_TEST_DATA="${MEMSCOPE_TEST_DATA}"
        MEMSCOPE_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
    target_link_libraries(${name} PRIVATE Qt6::Test ${T_LIBS})
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES ENVIRONMENT
        "QT_QPA_PLATFORM=offscreen;HOME=${CMAKE_CURRENT_BINARY_DIR}/home-${name}")
endfunction()
