-- Evidence may be a file: uploaded from the evidence page, size limited and type checked by its
-- content, kept here and served only as a download.

-- CreateTable
CREATE TABLE "evidence_file" (
    "id" UUID NOT NULL,
    "filename" TEXT NOT NULL,
    "content_type" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "data" BYTEA NOT NULL,
    "uploaded_by_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "evidence_file_pkey" PRIMARY KEY ("id")
);

-- AlterTable
ALTER TABLE "evidence_item" ADD COLUMN     "file_id" UUID;

-- CreateIndex
CREATE UNIQUE INDEX "evidence_item_file_id_key" ON "evidence_item"("file_id");

-- AddForeignKey
ALTER TABLE "evidence_item" ADD CONSTRAINT "evidence_item_file_id_fkey" FOREIGN KEY ("file_id") REFERENCES "evidence_file"("id") ON DELETE SET NULL ON UPDATE CASCADE;
