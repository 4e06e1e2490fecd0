# Runs at install time (install(SCRIPT) in cmake/CcmonInstall.cmake), when the
# prefix is known: places the example configuration and the systemd unit
# where Debian puts them and points the unit at the installed binary.
#   prefix /usr          -> /etc/ccmon/ccmon.yml, /lib/systemd/system/ccmond.service
#   any other prefix P   -> P/etc/ccmon/ccmon.yml, P/lib/systemd/system/ccmond.service
# file(INSTALL) honours DESTDIR, as install() does.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(ccmon_sysconfdir /etc)
  set(ccmon_unitdir /lib/systemd/system)
else()
  set(ccmon_sysconfdir ${CMAKE_INSTALL_PREFIX}/etc)
  set(ccmon_unitdir ${CMAKE_INSTALL_PREFIX}/lib/systemd/system)
endif()

file(INSTALL ${CCMON_SOURCE_DIR}/config/ccmon.example.yml DESTINATION ${ccmon_sysconfdir}/ccmon
     RENAME ccmon.yml)

# deploy/systemd/ccmond.service names the package's paths; rewrite them for this prefix.
file(READ ${CCMON_SOURCE_DIR}/deploy/systemd/ccmond.service unit)
string(REPLACE "/usr/bin/ccmond" "${CMAKE_INSTALL_PREFIX}/${CCMON_BINDIR}/ccmond" unit "${unit}")
string(REPLACE "/etc/ccmon/ccmon.yml" "${ccmon_sysconfdir}/ccmon/ccmon.yml" unit "${unit}")
string(REPLACE "/usr/share/doc/ccmon" "${CMAKE_INSTALL_PREFIX}/${CCMON_DOCDIR}" unit "${unit}")
file(WRITE ${CCMON_STAGING_DIR}/ccmond.service "${unit}")
file(INSTALL ${CCMON_STAGING_DIR}/ccmond.service DESTINATION ${ccmon_unitdir}
     FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
