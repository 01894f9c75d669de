"""directory on Open Referral UK (HSDS 3.0)

Organisations and services keep their HSDS document; what pages show, search finds and
filters select is projected from it into typed columns and tables: taxonomies and their
terms, the terms of each service, locations and where each service is offered, weekly
opening times and languages; postcodes, and tallies of referrals and replies per service.
Listings made before this revision get a minimal document built from their columns.
See docs/adr/0020-directory-on-open-referral-uk.md.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 14:00:00.000000
"""

from alembic import op
import sqlalchemy as sa
import passport.database


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('document', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('modified_at', passport.database.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_organisations_modified_at'), ['modified_at'], unique=False)

    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.add_column(sa.Column('document', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('status', sa.String(length=20), server_default='active', nullable=False))
        batch_op.add_column(sa.Column('modified_at', passport.database.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reviewed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('capacity', sa.String(length=20), server_default='accepting', nullable=False))
        batch_op.add_column(sa.Column('wait_weeks', sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column('free', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('delivery', sa.SmallInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('minimum_age', sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column('maximum_age', sa.SmallInteger(), nullable=True))
        batch_op.create_index(batch_op.f('ix_services_modified_at'), ['modified_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_services_reviewed_on'), ['reviewed_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_services_free'), ['free'], unique=False)

    op.create_table('taxonomies',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_taxonomies'))
    )
    op.create_table('taxonomy_terms',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('taxonomy_id', sa.Uuid(), nullable=True),
    sa.Column('parent_id', sa.Uuid(), nullable=True),
    sa.Column('code', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['taxonomy_id'], ['taxonomies.id'], name=op.f('fk_taxonomy_terms_taxonomy_id_taxonomies'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_taxonomy_terms'))
    )
    with op.batch_alter_table('taxonomy_terms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_taxonomy_terms_taxonomy_id'), ['taxonomy_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_taxonomy_terms_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_taxonomy_terms_code'), ['code'], unique=False)

    op.create_table('service_terms',
    sa.Column('service_id', sa.Uuid(), nullable=False),
    sa.Column('taxonomy_term_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_service_terms_service_id_services'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['taxonomy_term_id'], ['taxonomy_terms.id'], name=op.f('fk_service_terms_taxonomy_term_id_taxonomy_terms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('service_id', 'taxonomy_term_id', name=op.f('pk_service_terms'))
    )
    with op.batch_alter_table('service_terms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_terms_taxonomy_term_id'), ['taxonomy_term_id'], unique=False)

    op.create_table('locations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('location_type', sa.String(length=20), nullable=False),
    sa.Column('postcode', sa.String(length=10), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_locations'))
    )
    with op.batch_alter_table('locations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_locations_postcode'), ['postcode'], unique=False)
        batch_op.create_index(batch_op.f('ix_locations_latitude'), ['latitude'], unique=False)
        batch_op.create_index(batch_op.f('ix_locations_longitude'), ['longitude'], unique=False)

    op.create_table('service_at_locations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('service_id', sa.Uuid(), nullable=False),
    sa.Column('location_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_service_at_locations_service_id_services'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_service_at_locations_location_id_locations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_at_locations'))
    )
    with op.batch_alter_table('service_at_locations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_at_locations_service_id'), ['service_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_at_locations_location_id'), ['location_id'], unique=False)

    op.create_table('opening_times',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('service_id', sa.Uuid(), nullable=False),
    sa.Column('weekday', sa.SmallInteger(), nullable=False),
    sa.Column('opens', sa.SmallInteger(), nullable=False),
    sa.Column('closes', sa.SmallInteger(), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_opening_times_service_id_services'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opening_times'))
    )
    with op.batch_alter_table('opening_times', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opening_times_service_id'), ['service_id'], unique=False)

    op.create_table('service_languages',
    sa.Column('service_id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_service_languages_service_id_services'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('service_id', 'code', name=op.f('pk_service_languages'))
    )
    with op.batch_alter_table('service_languages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_languages_code'), ['code'], unique=False)

    op.create_table('postcodes',
    sa.Column('postcode', sa.String(length=10), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=False),
    sa.Column('longitude', sa.Float(), nullable=False),
    sa.Column('ward_code', sa.String(length=12), nullable=False),
    sa.Column('lsoa_code', sa.String(length=12), nullable=False),
    sa.PrimaryKeyConstraint('postcode', name=op.f('pk_postcodes'))
    )

    op.create_table('service_tallies',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('service_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('hours', sa.Integer(), nullable=True),
    sa.Column('accepted', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_service_tallies_service_id_services'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_tallies'))
    )
    with op.batch_alter_table('service_tallies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_tallies_service_id'), ['service_id'], unique=False)

    _documents_for_listings_made_before()


def _documents_for_listings_made_before() -> None:
    """A minimal HSDS document for each organisation and service already listed."""
    bind = op.get_bind()
    organisations = sa.table('organisations', sa.column('id', sa.Uuid()), sa.column('name'),
                             sa.column('description'), sa.column('website'),
                             sa.column('referral_email'), sa.column('document', sa.JSON()))
    services = sa.table('services', sa.column('id', sa.Uuid()), sa.column('organisation_id', sa.Uuid()),
                        sa.column('name'), sa.column('description'), sa.column('eligibility'),
                        sa.column('document', sa.JSON()))
    for row in bind.execute(sa.select(organisations)).mappings().all():
        document = {'id': str(row['id']), 'name': row['name'], 'description': row['description']}
        if row['website']:
            document['website'] = row['website']
        document['email'] = row['referral_email']
        bind.execute(organisations.update().where(organisations.c.id == row['id']).values(document=document))
    for row in bind.execute(sa.select(services)).mappings().all():
        document = {'id': str(row['id']), 'organization_id': str(row['organisation_id']),
                    'name': row['name'], 'description': row['description'], 'status': 'active'}
        if row['eligibility']:
            document['eligibility_description'] = row['eligibility']
        bind.execute(services.update().where(services.c.id == row['id']).values(document=document))


def downgrade() -> None:
    op.drop_table('service_tallies')
    op.drop_table('postcodes')
    op.drop_table('service_languages')
    op.drop_table('opening_times')
    op.drop_table('service_at_locations')
    op.drop_table('locations')
    op.drop_table('service_terms')
    op.drop_table('taxonomy_terms')
    op.drop_table('taxonomies')
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_services_free'))
        batch_op.drop_index(batch_op.f('ix_services_reviewed_on'))
        batch_op.drop_index(batch_op.f('ix_services_modified_at'))
        for column in ('maximum_age', 'minimum_age', 'delivery', 'free', 'wait_weeks',
                       'capacity', 'reviewed_on', 'modified_at', 'status', 'document'):
            batch_op.drop_column(column)
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisations_modified_at'))
        batch_op.drop_column('modified_at')
        batch_op.drop_column('document')
