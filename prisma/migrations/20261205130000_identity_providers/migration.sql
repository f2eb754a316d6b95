-- Sign-in providers belong to an organization: each vouches for the addresses of its own domains only,
-- and works once the installation's admin has approved those domains (a domain is one provider's).
CREATE TABLE "identity_provider" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "issuer" TEXT NOT NULL,
    "client_id" TEXT NOT NULL,
    "client_secret" TEXT NOT NULL,
    "domains" TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "approved_at" TIMESTAMPTZ(3),

    CONSTRAINT "identity_provider_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "identity_provider_slug_key" ON "identity_provider"("slug");
CREATE INDEX "identity_provider_organization_id_idx" ON "identity_provider"("organization_id");
ALTER TABLE "identity_provider" ADD CONSTRAINT "identity_provider_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;
