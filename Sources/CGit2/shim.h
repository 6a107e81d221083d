#ifndef OCTO_CGIT2_SHIM_H
#define OCTO_CGIT2_SHIM_H
#include <git2.h>
#include <git2/sys/repository.h>

/*
 * git_libgit2_opts() is variadic, which Swift cannot call: one typed wrapper per option we use.
 */
static inline int octo_git_set_owner_validation(int enabled) {
  return git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, enabled);
}
static inline int octo_git_get_owner_validation(int *enabled) {
  return git_libgit2_opts(GIT_OPT_GET_OWNER_VALIDATION, enabled);
}
static inline int octo_git_set_search_path(git_config_level_t level, const char *path) {
  return git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, level, path);
}
static inline int octo_git_get_search_path(git_config_level_t level, git_buf *out) {
  return git_libgit2_opts(GIT_OPT_GET_SEARCH_PATH, level, out);
}
static inline int octo_git_set_extensions(const char **names, size_t count) {
  return git_libgit2_opts(GIT_OPT_SET_EXTENSIONS, names, count);
}
static inline int octo_git_enable_strict_hash_verification(int enabled) {
  return git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, enabled);
}
static inline int octo_git_enable_fsync_gitdir(int enabled) {
  return git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, enabled);
}
static inline int octo_git_enable_caching(int enabled) {
  return git_libgit2_opts(GIT_OPT_ENABLE_CACHING, enabled);
}

/*
 * The GIT_*_OPTIONS_INIT macros do not import into Swift: each returns a struct initialised by its macro.
 */
static inline git_status_options octo_git_status_options(void) {
  git_status_options options = GIT_STATUS_OPTIONS_INIT;
  return options;
}
static inline git_diff_options octo_git_diff_options(void) {
  git_diff_options options = GIT_DIFF_OPTIONS_INIT;
  return options;
}
static inline git_diff_find_options octo_git_diff_find_options(void) {
  git_diff_find_options options = GIT_DIFF_FIND_OPTIONS_INIT;
  return options;
}
static inline git_merge_options octo_git_merge_options(void) {
  git_merge_options options = GIT_MERGE_OPTIONS_INIT;
  return options;
}
static inline git_checkout_options octo_git_checkout_options(void) {
  git_checkout_options options = GIT_CHECKOUT_OPTIONS_INIT;
  return options;
}
static inline git_buf octo_git_buf(void) {
  git_buf buf = GIT_BUF_INIT;
  return buf;
}
#endif
