/* json_simd.cpp - json_parse_fast on top of simdjson (Debian libsimdjson-dev).
 *
 * simdjson parses into its own tape; we copy the tape into jv values in the
 * caller's arena.  bench/README.md has the measurements that chose simdjson.
 * Each thread keeps its own dom::parser so its buffers are reused across
 * files.  simdjson reports no position for errors, so on any failure we
 * re-run the reference parser (json.c) which explains it with line/column.
 */
#include <simdjson.h>

#include <cstring>

extern "C" {
#include "json/json.h"
}

namespace
{

thread_local simdjson::dom::parser tl_parser;

/* Keys and short values repeat endlessly in AWS listings ("IpProtocol",
 * "tcp", the account id), so within one parse each distinct short string
 * is copied into the arena once and shared (jv strings are immutable).
 * This halves the memory a big page needs, and page faults on fresh arena
 * memory were most of the parse time.  The table lives per thread; a slot
 * is valid only for the parse (generation) that filled it, so it never
 * outlives its arena and starting a parse costs nothing (inventories have
 * hundreds of thousands of tiny per-resource files). */
constexpr size_t INTERN_SLOTS = 4096; /* power of two */
constexpr size_t INTERN_MAXLEN = 32;
struct intern_slot {
    const char *s;
    uint32_t len;
    uint32_t gen;
};
thread_local intern_slot tl_intern[INTERN_SLOTS];
thread_local uint32_t tl_gen;

void intern_reset()
{
    if (++tl_gen == 0) { /* wrapped: really clear once every 2^32 parses */
        std::memset(tl_intern, 0, sizeof tl_intern);
        tl_gen = 1;
    }
}

thread_local bool tl_share; /* the current parse shares short strings */

const char *copy_str(arena *a, std::string_view s)
{
    if (!tl_share || s.size() > INTERN_MAXLEN) return arena_strndup(a, s.data(), s.size());
    uint64_t h = s.size() * 0x9E3779B97F4A7C15ull;
    size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        uint64_t w;
        std::memcpy(&w, s.data() + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    uint64_t tail = 0;
    std::memcpy(&tail, s.data() + i, s.size() - i);
    h = (h ^ tail) * 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 29;
    intern_slot &slot = tl_intern[h & (INTERN_SLOTS - 1)];
    if (slot.gen == tl_gen && slot.len == s.size() && std::memcmp(slot.s, s.data(), s.size()) == 0)
        return slot.s;
    const char *copy = arena_strndup(a, s.data(), s.size());
    slot.s = copy; /* replace on collision: a cache, not a set */
    slot.len = (uint32_t)s.size();
    slot.gen = tl_gen;
    return copy;
}

jv convert(arena *a, simdjson::dom::element e)
{
    using simdjson::dom::element_type;
    switch (e.type()) {
    case element_type::ARRAY: {
        simdjson::dom::array arr = e.get_array().value_unsafe();
        size_t n = arr.size();
        /* Every slot is written below, so no zeroing (jv_array would). */
        jv v = jv_make(JV_ARRAY);
        v.u.items = n ? (jv *)arena_alloc(a, n * sizeof(jv)) : nullptr;
        size_t i = 0;
        for (simdjson::dom::element child : arr)
            if (i < n) v.u.items[i++] = convert(a, child);
        v.len = (uint32_t)i;
        return v;
    }
    case element_type::OBJECT: {
        simdjson::dom::object obj = e.get_object().value_unsafe();
        size_t n = obj.size();
        jv v = jv_make(JV_OBJECT);
        v.u.members = n ? (jv_member *)arena_alloc(a, n * sizeof(jv_member)) : nullptr;
        size_t i = 0;
        for (simdjson::dom::key_value_pair kv : obj) {
            if (i == n) break;
            jv_member *m = &v.u.members[i++];
            m->key = copy_str(a, kv.key);
            m->klen = (uint32_t)kv.key.size();
            m->val = convert(a, kv.value);
        }
        v.len = (uint32_t)i;
        return v;
    }
    case element_type::INT64:
        return jv_int(e.get_int64().value_unsafe());
    case element_type::UINT64: {
        uint64_t u = e.get_uint64().value_unsafe();
        jv v = jv_num((double)u);
        if (u < (1ull << 53)) v.flags = JVF_INT;
        return v;
    }
    case element_type::DOUBLE:
        return jv_num(e.get_double().value_unsafe());
    case element_type::STRING: {
        std::string_view s = e.get_string().value_unsafe();
        return jv_str_nocopy(copy_str(a, s), s.size());
    }
    case element_type::BOOL:
        return jv_bool(e.get_bool().value_unsafe());
    case element_type::NULL_VALUE:
        return jv_null();
    }
    return jv_null();
}

int parse(arena *a, const char *text, size_t len, jv *out, json_error *err, bool share)
{
    simdjson::dom::element root;
    auto error = tl_parser.parse(text, len, true).get(root);
    /* simdjson accepts a few things json.c rejects (and vice versa, e.g. a
     * byte order mark); the reference parser has the last word. */
    if (error || (len >= 3 && std::memcmp(text, "\xEF\xBB\xBF", 3) == 0))
        return json_parse(a, text, len, out, err);
    try {
        tl_share = share;
        if (share) intern_reset();
        *out = convert(a, root);
    } catch (...) {
        return json_parse(a, text, len, out, err);
    }
    return 0;
}

} // namespace

extern "C" int json_parse_fast(arena *a, const char *text, size_t len, jv *out, json_error *err)
{
    return parse(a, text, len, out, err, false);
}

extern "C" int json_parse_fast_shared(arena *a, const char *text, size_t len, jv *out,
                                      json_error *err)
{
    return parse(a, text, len, out, err, true);
}
