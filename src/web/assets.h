/* assets.h - the dashboard's static files, compiled into the binary.
 *
 * One stylesheet, one script (it only enhances: copy buttons, keyboard
 * shortcuts; every page works without it) and an icon.  Served under
 * /static/NAME with an ETag (FNV-1a of the bytes) so browsers revalidate
 * cheaply; nothing is ever loaded from another origin.
 */
#ifndef CUSTOS_WEB_ASSETS_H
#define CUSTOS_WEB_ASSETS_H

#include <stddef.h>

typedef struct web_asset {
    const char *name; /* "app.css" */
    const char *type; /* Content-Type */
    const char *body;
    size_t len;
    char etag[20]; /* "\"%016llx\"" */
} web_asset;

/* The asset called name, or NULL. */
const web_asset *web_asset_find(const char *name);

#endif
