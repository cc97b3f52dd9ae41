"""Votes are frozen on a proposal its author withdrew: the two vote functions also refuse a withdrawn proposal.

They keep their single round trip (mapvotes/migrations/0003_vote_functions.py): the row they return gains a
`withdrawn` column after `merged_into_id`, which mapvotes.services reads to say why nothing changed. The return type
changes, so each function is dropped and created again; going back restores the functions of 0003.
"""

import importlib

from django.db import migrations

FUNCTIONS_SQL = """
DROP FUNCTION IF EXISTS mapvotes_cast_vote(bigint, bigint, text, integer, integer, integer, integer);
DROP FUNCTION IF EXISTS mapvotes_withdraw_vote(bigint, bigint);

CREATE FUNCTION mapvotes_cast_vote(
    p_proposal bigint, p_user bigint, p_value text,
    p_new_for integer, p_new_against integer, p_change_for integer, p_change_against integer
) RETURNS TABLE (
    is_hidden boolean, merged_into_id bigint, withdrawn boolean, inserted boolean, votes_for integer,
    votes_against integer
)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
BEGIN
    PERFORM 1 FROM mapvotes_proposal WHERE id = p_proposal FOR NO KEY UPDATE;
    RETURN QUERY
    WITH p AS (
        SELECT q.id, q.is_hidden, q.merged_into_id, q.status = 'withdrawn' AS withdrawn, q.votes_for, q.votes_against
        FROM mapvotes_proposal q WHERE q.id = p_proposal
    ), v AS (
        INSERT INTO mapvotes_vote AS vote (user_id, proposal_id, value, created_at, updated_at)
        SELECT p_user, p.id, p_value, now(), now() FROM p
        WHERE NOT p.is_hidden AND p.merged_into_id IS NULL AND NOT p.withdrawn
        ON CONFLICT (user_id, proposal_id) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at
        WHERE vote.value <> EXCLUDED.value
        RETURNING (vote.xmax = 0) AS inserted
    ), c AS (
        UPDATE mapvotes_proposal AS q
        SET votes_for = q.votes_for + CASE WHEN v.inserted THEN p_new_for ELSE p_change_for END,
            votes_against = q.votes_against + CASE WHEN v.inserted THEN p_new_against ELSE p_change_against END
        FROM v WHERE q.id = p_proposal
        RETURNING q.votes_for, q.votes_against
    )
    SELECT p.is_hidden, p.merged_into_id, p.withdrawn, v.inserted, coalesce(c.votes_for, p.votes_for),
           coalesce(c.votes_against, p.votes_against)
    FROM p LEFT JOIN v ON true LEFT JOIN c ON true;
END $$;

CREATE FUNCTION mapvotes_withdraw_vote(p_proposal bigint, p_user bigint)
RETURNS TABLE (
    is_hidden boolean, merged_into_id bigint, withdrawn boolean, previous text, votes_for integer,
    votes_against integer
)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
BEGIN
    PERFORM 1 FROM mapvotes_proposal WHERE id = p_proposal FOR NO KEY UPDATE;
    RETURN QUERY
    WITH p AS (
        SELECT q.id, q.is_hidden, q.merged_into_id, q.status = 'withdrawn' AS withdrawn, q.votes_for, q.votes_against
        FROM mapvotes_proposal q WHERE q.id = p_proposal
    ), v AS (
        DELETE FROM mapvotes_vote AS vote USING p
        WHERE vote.user_id = p_user AND vote.proposal_id = p.id
          AND NOT p.is_hidden AND p.merged_into_id IS NULL AND NOT p.withdrawn
        RETURNING vote.value
    ), c AS (
        UPDATE mapvotes_proposal AS q
        SET votes_for = q.votes_for - (v.value = 'for')::integer,
            votes_against = q.votes_against - (v.value = 'against')::integer
        FROM v WHERE q.id = p_proposal
        RETURNING q.votes_for, q.votes_against
    )
    SELECT p.is_hidden, p.merged_into_id, p.withdrawn, v.value::text, coalesce(c.votes_for, p.votes_for),
           coalesce(c.votes_against, p.votes_against)
    FROM p LEFT JOIN v ON true LEFT JOIN c ON true;
END $$;
"""


def _previous():
    previous = importlib.import_module("mapvotes.migrations.0003_vote_functions")
    return previous.DROP_SQL + previous.FUNCTIONS_SQL


class Migration(migrations.Migration):
    dependencies = [
        ("mapvotes", "0006_own_content_revisions_replies_withdrawal"),
    ]

    operations = [migrations.RunSQL(FUNCTIONS_SQL, _previous())]
