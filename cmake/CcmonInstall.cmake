# cmake --install and cpack -G DEB lay ccmon out the way a Debian package
# would (docs/deploy.md, "Installing"); with --prefix /usr:
#   /usr/bin/ccmond, ccmon-sim, ccmon-bank2events   install(TARGETS) beside each target
#   /etc/ccmon/ccmon.yml                            config/ccmon.example.yml (a conffile)
#   /lib/systemd/system/ccmond.service              deploy/systemd, paths = the installed ones
#   /usr/share/ccmon/{prometheus,alertmanager,grafana}/   deploy/, to copy or merge
#   /usr/share/doc/ccmon/                           README.md, docs/*.md, copyright
# Folders of data files are installed whole (docs and deploy files added
# later ship without a CMake change); sources are listed file by file.

install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR} RENAME copyright)
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR} FILES_MATCHING PATTERN "*.md")
install(DIRECTORY deploy/prometheus deploy/alertmanager deploy/grafana
        DESTINATION ${CMAKE_INSTALL_DATADIR}/ccmon)

# The configuration and the unit go where the system looks for them, which
# depends on the prefix given when installing (/usr -> /etc), so
# cmake/CcmonInstallSystem.cmake places them at install time.
install(CODE "set(CCMON_SOURCE_DIR \"${PROJECT_SOURCE_DIR}\")
set(CCMON_STAGING_DIR \"${PROJECT_BINARY_DIR}/install-staging\")
set(CCMON_BINDIR \"${CMAKE_INSTALL_BINDIR}\")
set(CCMON_DOCDIR \"${CMAKE_INSTALL_DOCDIR}\")")
install(SCRIPT cmake/CcmonInstallSystem.cmake)

# --- Debian package: cpack -G DEB -> ccmon_<version>_<arch>.deb -------------
set(CCMON_PACKAGE_MAINTAINER "ccmon maintainers <ccmon@localhost>"
    CACHE STRING "Maintainer field of the Debian package")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ccmon)
set(CPACK_PACKAGE_VENDOR ccmon)
set(CPACK_PACKAGE_CONTACT "${CCMON_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "real-time contact-center monitoring daemon")
set(CPACK_PACKAGE_DESCRIPTION
    "ccmond receives call, chat, messaging and email events over HTTP and WebSocket, keeps \
rolling-window KPIs in memory (service level, abandon rate, ASA, AHT, occupancy...) and \
serves them on a Prometheus endpoint and as JSON, with SLA rules evaluated every second. \
Ships a hardened systemd unit, Prometheus rules, an Alertmanager example and Grafana \
dashboards.")
# Install into the staging folder through DESTDIR with the prefix /usr, so
# the /etc and /lib/systemd/system paths land in the package, never on the
# build machine. With CPACK_SET_DESTDIR, CPACK_INSTALL_PREFIX is the prefix.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Runtime libraries from dpkg-shlibdeps (libstdc++6, libspdlog1.10, libyaml-cpp0.7,
# libprometheus-cpp-core1.0, libsimdjson14, zlib1g...); time-zone files are read at run time.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "tzdata")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "prometheus, prometheus-alertmanager")
configure_file(cmake/debian/conffiles ${PROJECT_BINARY_DIR}/debian/conffiles COPYONLY)
configure_file(cmake/debian/postinst ${PROJECT_BINARY_DIR}/debian/postinst COPYONLY)
configure_file(cmake/debian/postrm ${PROJECT_BINARY_DIR}/debian/postrm COPYONLY)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${PROJECT_BINARY_DIR}/debian/conffiles
                                       ${PROJECT_BINARY_DIR}/debian/postinst
                                       ${PROJECT_BINARY_DIR}/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# A source package (cpack --config CPackSourceConfig.cmake) is the checked-in tree only.
set(CPACK_SOURCE_IGNORE_FILES "^${PROJECT_SOURCE_DIR}/(\\.git|\\.cache|build[^/]*)(/|$)"
                               "__pycache__")
include(CPack)
