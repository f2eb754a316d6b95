-- Comments on a lesson (named by its inquiry cycle's id).
ALTER TYPE "CommentSubject" ADD VALUE 'lesson';
