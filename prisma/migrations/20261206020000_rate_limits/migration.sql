-- Rate limits kept in PostgreSQL, so that every API replica counts the same hits.
CREATE TABLE "rate_limit_hit" (
    "key" TEXT NOT NULL,
    "hits" INTEGER NOT NULL,
    "reset_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "rate_limit_hit_pkey" PRIMARY KEY ("key")
);
