# What `cmake --install` puts where (GNU layout under CMAKE_INSTALL_PREFIX):
#   bin/gestaltd, bin/gestalt-console                     (install(TARGETS) in server/, console/)
#   share/applications/gestalt-console.desktop
#   share/icons/hicolor/scalable/apps/gestalt-console.svg
#   lib/systemd/system/gestaltd.service                   (GESTALT_SYSTEMD_UNIT_DIR)
#   <sysconfdir>/gestalt/gestaltd.yaml, gestaltd.env      (sample config: /etc with prefix /usr,
#                                                          <prefix>/etc otherwise; use DESTDIR to stage)
#   share/doc/gestalt/gestaltd.yaml                       (the same sample, kept pristine)
include(GNUInstallDirs)

set(GESTALT_SYSTEMD_UNIT_DIR "${CMAKE_INSTALL_PREFIX}/lib/systemd/system"
    CACHE PATH "Where the gestaltd systemd unit goes")

configure_file(${PROJECT_SOURCE_DIR}/resources/install/gestaltd.service.in
               ${PROJECT_BINARY_DIR}/gestaltd.service @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/gestaltd.service DESTINATION ${GESTALT_SYSTEMD_UNIT_DIR})
install(FILES ${PROJECT_SOURCE_DIR}/resources/install/gestaltd.yaml
        DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/gestalt)
install(FILES ${PROJECT_SOURCE_DIR}/resources/install/gestaltd.env
        DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/gestalt
        PERMISSIONS OWNER_READ OWNER_WRITE)
install(FILES ${PROJECT_SOURCE_DIR}/resources/install/gestaltd.yaml
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/gestalt)

if(GESTALT_BUILD_CONSOLE)
    install(FILES ${PROJECT_SOURCE_DIR}/resources/install/gestalt-console.desktop
            DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
    install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/gestalt-console.svg
            DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
endif()
