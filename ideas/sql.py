"""SQL that keeps the matching copies (arrays on ideas and partner profiles) in step with needs, offers, M2M.

Used by services (after every write that changes them), the migration that backfills them, and the bench."""

IDEA_MATCH_FIELDS = """
UPDATE ideas_idea i SET
  open_need_kinds = COALESCE((SELECT array_agg(n.kind ORDER BY n.kind) FROM ideas_need n
                              WHERE n.idea_id = i.id AND NOT n.covered), '{}'),
  theme_ids = COALESCE((SELECT array_agg(t.theme_id::int ORDER BY t.theme_id) FROM ideas_idea_themes t
                        WHERE t.idea_id = i.id), '{}'),
  district_numbers = COALESCE((SELECT array_agg(d.number::smallint ORDER BY d.number)
                               FROM ideas_idea_districts x JOIN core_district d ON d.id = x.district_id
                               WHERE x.idea_id = i.id), '{}')
"""

PARTNER_MATCH_FIELDS = """
UPDATE ideas_partnerprofile p SET
  offer_kinds = COALESCE((SELECT array_agg(o.kind ORDER BY o.kind) FROM ideas_offer o WHERE o.partner_id = p.id), '{}'),
  theme_ids = COALESCE((SELECT array_agg(t.theme_id::int ORDER BY t.theme_id) FROM ideas_partnerprofile_themes t
                        WHERE t.partnerprofile_id = p.id), '{}'),
  district_numbers = COALESCE((SELECT array_agg(d.number::smallint ORDER BY d.number)
                               FROM ideas_partnerprofile_districts x JOIN core_district d ON d.id = x.district_id
                               WHERE x.partnerprofile_id = p.id), '{}')
"""
