"""A ballot written by one PostgreSQL function: one round trip, one transaction, a plan PostgreSQL keeps.

budget.services.cast_ballot checks the ballot against the rules first (nothing is written when it breaks one), then
calls this function. It runs three statements, each with a snapshot of its own (a VOLATILE PL/pgSQL function): the
upsert of the ballot row takes its lock (parallel requests of one account wait here, one after the other); then,
lock held, the choices that are no longer wanted are deleted and the new ones inserted — seeing the choices that the
previous holder of the lock committed, so that the last request wins whole and two never mix.
"""

from django.db import migrations

FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION budget_cast_ballot(
    p_campaign bigint, p_voter bigint, p_arrondissement integer, p_projects bigint[]
) RETURNS TABLE (ballot_id bigint, updated_at timestamptz)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
    v_ballot bigint;
    v_updated timestamptz;
BEGIN
    INSERT INTO budget_ballot AS b (campaign_id, voter_id, district_id, created_at, updated_at)
    VALUES (p_campaign, p_voter, (SELECT d.id FROM core_district d WHERE d.number = p_arrondissement), now(), now())
    ON CONFLICT (campaign_id, voter_id)
    DO UPDATE SET district_id = EXCLUDED.district_id, updated_at = EXCLUDED.updated_at
    RETURNING b.id, b.updated_at INTO v_ballot, v_updated;
    DELETE FROM budget_ballotchoice c WHERE c.ballot_id = v_ballot AND c.project_id <> ALL (p_projects);
    INSERT INTO budget_ballotchoice (ballot_id, project_id)
    SELECT v_ballot, chosen FROM unnest(p_projects) AS chosen
    ON CONFLICT (ballot_id, project_id) DO NOTHING;
    RETURN QUERY SELECT v_ballot, v_updated;
END $$;
"""

DROP_SQL = "DROP FUNCTION IF EXISTS budget_cast_ballot(bigint, bigint, integer, bigint[]);"


class Migration(migrations.Migration):
    dependencies = [
        ("budget", "0002_photos_notes_paper_counts"),
    ]

    operations = [migrations.RunSQL(FUNCTION_SQL, DROP_SQL)]
