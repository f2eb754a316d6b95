-- The timeline is the partnership's audit: the database itself keeps it append-only, whoever connects.
-- Partnerships are ended, never deleted (deleting one would cascade to its timeline).
CREATE FUNCTION refuse_audit_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'Record what happened as a new event; end a partnership instead of deleting it.';
END;
$$;

CREATE TRIGGER partnership_event_append_only
  BEFORE UPDATE OR DELETE ON partnership_event
  FOR EACH ROW EXECUTE FUNCTION refuse_audit_change();

CREATE TRIGGER partnership_event_no_truncate
  BEFORE TRUNCATE ON partnership_event
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change();

CREATE TRIGGER partnership_never_deleted
  BEFORE DELETE ON partnership
  FOR EACH ROW EXECUTE FUNCTION refuse_audit_change();

CREATE TRIGGER partnership_no_truncate
  BEFORE TRUNCATE ON partnership
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change();
