#ifndef OCTO_CPOSTGRES_SHIM_H
#define OCTO_CPOSTGRES_SHIM_H
/*
 * PostgreSQL's client library, headers only. octo-git does not link libpq: only `team` commands talk to a
 * PostgreSQL server, so PostgresLibrary opens libpq with dlopen the first time one needs it and calls the
 * functions it looked up through typed pointers; hooks and every other command never load it.
 * Debian's libpq-dev puts the header in /usr/include/postgresql.
 */
#include <postgresql/libpq-fe.h>
#include <dlfcn.h>
#endif
