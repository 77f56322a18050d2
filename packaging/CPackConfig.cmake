# SPDX-License-Identifier: GPL-3.0-or-later
# `cpack -G DEB` in the build folder makes a .deb with memscope, the demo
# captures, a desktop entry, an icon and the case MIME type.
set(CPACK_PACKAGE_NAME "memscope")
set(CPACK_PACKAGE_VENDOR "memscope")
set(CPACK_PACKAGE_CONTACT "memscope developers <memscope@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Memory forensics workbench for Go services")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR "DEB")
set(CPACK_DEBIAN_PACKAGE_SECTION "devel")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# libmemscope_core.so is private to memscope (lib/memscope), not a system library.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${PROJECT_BINARY_DIR}/lib/memscope)
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
include(CPack)
