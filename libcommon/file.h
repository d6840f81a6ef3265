/*
 * file - durable file operations.
 *
 * The pattern every writer of lasting state follows: write under a
 * temporary name in the same directory, fsync the file, rename it into
 * place, fsync the directory.  Only then is the new content both complete
 * and durable; a reader never sees half of it.
 *
 * All return 0 on success, -1 with errno set on failure (having removed
 * any temporary file they made).
 */
#ifndef PIPEMAIL_FILE_H
#define PIPEMAIL_FILE_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

int	 file_fsync_dir(const char *);
int	 file_fsync_parent(const char *);
int	 file_replace(const char *, const void *, size_t, mode_t);
int	 file_tmp_open(const char *, struct buf *, mode_t);
int	 file_tmp_commit(int, const char *, const char *);
void	 file_tmp_abort(int, const char *);
int	 file_mkdirs(const char *, mode_t);
int	 file_read(const char *, struct buf *, size_t);

#endif
