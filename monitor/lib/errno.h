/* The error numbers internal functions return (negated), with Linux's values so logs read familiarly. */
#ifndef MONITOR_LIB_ERRNO_H
#define MONITOR_LIB_ERRNO_H

#define ENOENT  2
#define EIO     5
#define E2BIG   7
#define ENOEXEC 8
#define ENOMEM  12
#define EFAULT  14
#define EBUSY   16
#define EEXIST  17
#define EINVAL  22
#define ENOSPC  28
#define ERANGE  34
#define ENOTSUP 95

#endif
