# Bare-metal guests: every guests/<name>.S is assembled with the big-endian cross binutils into
# ${CMAKE_BINARY_DIR}/guests/<name>.elf, and again little-endian (-mlittle, elf64lppc) into
# <name>_le.elf. cas_boot and compat_idle also have PVR-list variants (see README.md). Included by
# CMakeLists.txt.

set(PPCMIG_GUEST_PREFIX "powerpc64-linux-gnu-" CACHE STRING "Prefix of the ppc64 cross binutils used for guests")
find_program(PPCMIG_GUEST_AS ${PPCMIG_GUEST_PREFIX}as)
find_program(PPCMIG_GUEST_LD ${PPCMIG_GUEST_PREFIX}ld)
if(NOT PPCMIG_GUEST_AS OR NOT PPCMIG_GUEST_LD)
    message(FATAL_ERROR
        "ppcmig guests need the ppc64 cross binutils (${PPCMIG_GUEST_PREFIX}as and "
        "${PPCMIG_GUEST_PREFIX}ld), which were not found. Install them (Debian: "
        "apt-get install binutils-powerpc64-linux-gnu) or set PPCMIG_GUEST_PREFIX / "
        "PPCMIG_GUEST_AS / PPCMIG_GUEST_LD.")
endif()

# The little-endian variants reuse the same tools: check the linker has the LE emulation, and
# whether it knows --no-warn-rwx-segments (binutils >= 2.39; guests are one RWX segment).
execute_process(COMMAND ${PPCMIG_GUEST_LD} -V OUTPUT_VARIABLE _ppcmig_ld_v ERROR_QUIET)
if(NOT _ppcmig_ld_v MATCHES "elf64lppc")
    message(FATAL_ERROR "${PPCMIG_GUEST_LD} lacks the elf64lppc emulation needed for little-endian guests")
endif()
execute_process(COMMAND ${PPCMIG_GUEST_LD} --help OUTPUT_VARIABLE _ppcmig_ld_help ERROR_QUIET)
set(_ppcmig_ld_extra "")
if(_ppcmig_ld_help MATCHES "no-warn-rwx-segments")
    set(_ppcmig_ld_extra --no-warn-rwx-segments)
endif()

set(PPCMIG_GUESTS_DIR ${CMAKE_BINARY_DIR}/guests)
set(_ppcmig_guest_lib ${CMAKE_CURRENT_SOURCE_DIR}/lib)
set(_ppcmig_guest_deps ${_ppcmig_guest_lib}/guest.inc ${_ppcmig_guest_lib}/guest.ld)
set(_ppcmig_guest_elfs "")

# ppcmig_guest(<output name> <source> <le: ON|OFF> [defsym...])
function(ppcmig_guest name src le)
    set(asflags -a64 -mpower10 -mregnames -I ${_ppcmig_guest_lib})
    if(le)
        list(APPEND asflags -mlittle --defsym GUEST_LE=1)
        set(emul elf64lppc)
    else()
        list(APPEND asflags -mbig)
        set(emul elf64ppc)
    endif()
    foreach(sym IN LISTS ARGN)
        list(APPEND asflags --defsym ${sym})
    endforeach()
    set(obj ${PPCMIG_GUESTS_DIR}/obj/${name}.o)
    set(elf ${PPCMIG_GUESTS_DIR}/${name}.elf)
    add_custom_command(
        OUTPUT ${elf}
        COMMAND ${CMAKE_COMMAND} -E make_directory ${PPCMIG_GUESTS_DIR}/obj
        COMMAND ${PPCMIG_GUEST_AS} ${asflags} -o ${obj} ${src}
        COMMAND ${PPCMIG_GUEST_LD} -m ${emul} -T ${_ppcmig_guest_lib}/guest.ld -nostdlib -static
                ${_ppcmig_ld_extra} -o ${elf} ${obj}
        DEPENDS ${src} ${_ppcmig_guest_deps}
        COMMENT "Guest ${name}.elf"
        VERBATIM)
    set(_ppcmig_guest_elfs ${_ppcmig_guest_elfs} ${elf} PARENT_SCOPE)
endfunction()

set(PPCMIG_GUEST_NAMES cas_boot decr_tick mem_dirty fpvec_state smp_ipi idle_cede compat_idle)
foreach(g IN LISTS PPCMIG_GUEST_NAMES)
    set(src ${CMAKE_CURRENT_SOURCE_DIR}/${g}.S)
    ppcmig_guest(${g} ${src} OFF)
    ppcmig_guest(${g}_le ${src} ON)
endforeach()

# cas_boot PVR-list variants (default parameters only; the machine may still patch them)
set(_cas ${CMAKE_CURRENT_SOURCE_DIR}/cas_boot.S)
ppcmig_guest(cas_boot_compat ${_cas} OFF DEF_RAW=0)                 # logical PVRs only
ppcmig_guest(cas_boot_raw ${_cas} OFF DEF_COMPAT=0)                 # real PVRs only
ppcmig_guest(cas_boot_p7 ${_cas} OFF DEF_COMPAT=8 DEF_RAW=0)        # power7 (2.06) only
ppcmig_guest(compat_idle_p7 ${CMAKE_CURRENT_SOURCE_DIR}/compat_idle.S OFF DEF_P7_ONLY=1)  # power7 only

add_custom_target(guests ALL DEPENDS ${_ppcmig_guest_elfs})
