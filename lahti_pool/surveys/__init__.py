"""Surveys (issue 19): needs, evaluation and other surveys, and the mapping report.

How networks and programmes plug in (they are other features; this one imports none):

- their people: ``core.populations.register_population(kind, label, member_ids,
  choices, organisers=..., subject_kind="network")`` — ``organisers(subject_id)`` selects
  the users (coordinators, organisers) who may survey that subject's people besides the
  administrator; ``subject_kind`` is the mapping report's kind, so a survey "about" the
  subject lands on its row;
- their rows in the mapping report: ``core.mapping.register_mapping_subjects``;
- a needs survey's options as themed networks:
  ``surveys.proposals.register_network_creator("networks.new", "theme")``.
"""
