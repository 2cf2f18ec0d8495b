/* Arm semihosting for the firmware: text output and exit with a status, through BKPT 0xAB (QEMU -semihosting, or a debugger). */
#ifndef FW_SEMIHOST_H_INCLUDED
#define FW_SEMIHOST_H_INCLUDED

/* Writes a NUL-terminated string to the host's console (SYS_WRITE0). */
void fw_write(const char *text);

/* Ends the program with an exit status the host sees (SYS_EXIT_EXTENDED,
   which QEMU turns into its own exit status); never returns. */
void fw_exit(int status);

#endif /* FW_SEMIHOST_H_INCLUDED */
