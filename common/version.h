/* version.h - the version and git revision every program reports and every result
 * records.  Defined in a file the build regenerates whenever `git describe --dirty`
 * changes (mk/version.sh), so no object carries a stale revision. */
#ifndef NB_VERSION_H
#define NB_VERSION_H

extern const char nb_version[];   /* the VERSION file, e.g. "0.1.0" */
extern const char nb_gitrev[];    /* "abc123def456", "...-dirty", or "unknown" */

#endif
