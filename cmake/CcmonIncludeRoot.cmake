# Include roots: a target sees only its own headers and those of what it
# links (docs/architecture.md, "Build and layering").
#
# ccmon_include_root(<target> <path>...) makes ${PROJECT_BINARY_DIR}/include/<target>
# hold a symbolic link to each named source path (a folder or a file,
# relative to the source tree) at the same relative path, and puts that
# root on <target>'s include path: PUBLIC for libraries, so it travels with
# target_link_libraries, PRIVATE for executables. Include lines stay
# `#include "core/engine/engine.hpp"`; they resolve only in targets that link
# the library owning core/engine. No project source folder is an include
# directory itself (tests/layering checks it).
#
# The root is rebuilt at each configure so a removed path disappears with it;
# compilers and Ninja follow the links, so rebuilding them triggers no
# recompilation.
function(ccmon_include_root target)
  set(root ${PROJECT_BINARY_DIR}/include/${target})
  file(REMOVE_RECURSE ${root})  # removes links, never what they point to
  file(MAKE_DIRECTORY ${root})
  foreach(path IN LISTS ARGN)
    if(NOT EXISTS ${PROJECT_SOURCE_DIR}/${path})
      message(FATAL_ERROR "ccmon_include_root(${target}): ${path} is not in the source tree")
    endif()
    cmake_path(GET path PARENT_PATH parent)
    file(MAKE_DIRECTORY ${root}/${parent})
    file(CREATE_LINK ${PROJECT_SOURCE_DIR}/${path} ${root}/${path} SYMBOLIC)
  endforeach()
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "EXECUTABLE")
    target_include_directories(${target} PRIVATE ${root})
  elseif(type STREQUAL "INTERFACE_LIBRARY")
    target_include_directories(${target} INTERFACE ${root})
  else()
    target_include_directories(${target} PUBLIC ${root})
  endif()
endfunction()
