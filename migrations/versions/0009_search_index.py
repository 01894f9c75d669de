"""search index: full text with stems, typos and name prefixes, on each engine its own way

Every service gets a row of stems (`search_documents`: the name; the organisation, terms
and categories; the rest), its name's first letters (`search_prefixes`) and its words in a
vocabulary with counts (`search_vocabulary`). Then, per engine:

- SQLite: an FTS5 table over the rows (external content, kept in step by triggers) and the
  vocabulary's trigrams (`search_trigrams`), for typos.
- PostgreSQL: pg_trgm; tsvector columns generated from the rows, with GIN indexes; a
  trigram GIN index on the vocabulary.

Services already listed are indexed on the way up. See passport/directory/search_index.py.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 14:10:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

SORT_NAME = sa.String(length=200).with_variant(sa.String(length=200, collation='C'), 'postgresql')


def upgrade() -> None:
    op.create_table('search_documents',
    sa.Column('doc', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Uuid(), nullable=False),
    sa.Column('sort_name', SORT_NAME, nullable=False),
    sa.Column('name_words', sa.Text(), nullable=False),
    sa.Column('subject_words', sa.Text(), nullable=False),
    sa.Column('body_words', sa.Text(), nullable=False),
    sa.Column('words', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_search_documents_service_id_services'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('doc', name=op.f('pk_search_documents')),
    sa.UniqueConstraint('service_id', name=op.f('uq_search_documents_service_id'))
    )
    op.create_index('ix_search_documents_sort', 'search_documents', ['sort_name', 'service_id'], unique=False)
    # A service's name to sort by without reading its row of words.
    op.create_index('ix_search_documents_service_sort', 'search_documents', ['service_id', 'sort_name'], unique=False)
    op.create_table('search_vocabulary',
    sa.Column('word', sa.String(length=40).with_variant(sa.String(length=40, collation='C'), 'postgresql'), nullable=False),
    sa.Column('stem', sa.String(length=40), nullable=False),
    sa.Column('documents', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('word', name=op.f('pk_search_vocabulary'))
    )
    op.create_index(op.f('ix_search_vocabulary_stem'), 'search_vocabulary', ['stem'], unique=False)
    op.create_table('search_prefixes',
    sa.Column('prefix', sa.String(length=2), nullable=False),
    sa.Column('sort_name', SORT_NAME, nullable=False),
    sa.Column('service_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_search_prefixes_service_id_services'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('prefix', 'sort_name', 'service_id', name=op.f('pk_search_prefixes'))
    )
    op.create_index(op.f('ix_search_prefixes_service_id'), 'search_prefixes', ['service_id'], unique=False)
    # Distance reads a box of latitude and longitude, and the ids in it, from one index
    # (locations are 0008's).
    op.create_index('ix_search_locations_place', 'locations', ['latitude', 'longitude', 'id'], unique=False)

    if op.get_bind().dialect.name == 'sqlite':
        _sqlite_upgrade()
    else:
        _postgresql_upgrade()
    _index_services_already_listed()


def _sqlite_upgrade() -> None:
    # detail=column: no positions (no phrase queries), but column filters for the tiers.
    op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(name_words, subject_words, body_words, "
               "content='search_documents', content_rowid='doc', "
               "tokenize='unicode61 remove_diacritics 2', detail=column)")
    op.execute("CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN "
               "INSERT INTO search_fts(rowid, name_words, subject_words, body_words) "
               "VALUES (new.doc, new.name_words, new.subject_words, new.body_words); END")
    op.execute("CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN "
               "INSERT INTO search_fts(search_fts, rowid, name_words, subject_words, body_words) "
               "VALUES ('delete', old.doc, old.name_words, old.subject_words, old.body_words); END")
    op.execute("CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN "
               "INSERT INTO search_fts(search_fts, rowid, name_words, subject_words, body_words) "
               "VALUES ('delete', old.doc, old.name_words, old.subject_words, old.body_words); "
               "INSERT INTO search_fts(rowid, name_words, subject_words, body_words) "
               "VALUES (new.doc, new.name_words, new.subject_words, new.body_words); END")
    op.execute("CREATE TABLE search_trigrams (trigram TEXT NOT NULL, "
               "word VARCHAR(40) NOT NULL REFERENCES search_vocabulary (word) ON DELETE CASCADE, "
               "PRIMARY KEY (trigram, word)) WITHOUT ROWID")
    op.execute("CREATE INDEX ix_search_trigrams_word ON search_trigrams (word)")


def _postgresql_upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # 'simple': the words are stemmed already (passport/directory/search_text.py).
    vectors = {
        'name_vector': "name_words",
        'key_vector': "name_words || ' ' || subject_words",
        'vector': "name_words || ' ' || subject_words || ' ' || body_words",
    }
    for column, text in vectors.items():
        op.execute(f"ALTER TABLE search_documents ADD COLUMN {column} tsvector "
                   f"GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, {text})) STORED")
        op.execute(f"CREATE INDEX ix_search_documents_{column} ON search_documents USING gin ({column})")
    op.execute("CREATE INDEX ix_search_vocabulary_word_trigrams ON search_vocabulary "
               "USING gin (word gin_trgm_ops)")


def _index_services_already_listed() -> None:
    from passport.directory import search_index

    search_index.rebuild(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("DROP TABLE search_trigrams")
        op.execute("DROP TRIGGER search_documents_au")
        op.execute("DROP TRIGGER search_documents_ad")
        op.execute("DROP TRIGGER search_documents_ai")
        op.execute("DROP TABLE search_fts")
    else:
        op.execute("DROP INDEX ix_search_vocabulary_word_trigrams")
    op.drop_index('ix_search_locations_place', table_name='locations')
    op.drop_index(op.f('ix_search_prefixes_service_id'), table_name='search_prefixes')
    op.drop_table('search_prefixes')
    op.drop_index(op.f('ix_search_vocabulary_stem'), table_name='search_vocabulary')
    op.drop_table('search_vocabulary')
    op.drop_index('ix_search_documents_service_sort', table_name='search_documents')
    op.drop_index('ix_search_documents_sort', table_name='search_documents')
    op.drop_table('search_documents')
