/* version.h - the release version, shown by --version and written into
 * SARIF/OCSF output and notifications. */
#ifndef CUSTOS_VERSION_H
#define CUSTOS_VERSION_H

#define CUSTOS_VERSION "0.1.0"

#endif
