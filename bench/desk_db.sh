# Sourced by the side-by-side scripts: a PostgreSQL database of ours ready for the bench, and the
# customer the load posts as. Run from the project root with .venv built.
#   desk_db_prepare NAME   # drop, create, migrate and seed_demo NAME (unless REUSE_DB=1), and
#                          # (re)set bench@example.com / Bars-pass-123 as a customer
desk_db_prepare() {
  local name=$1
  export DATABASE_URL=postgres://postgres@127.0.0.1:5432/$name
  if [[ ${REUSE_DB:-} != 1 ]]; then
    psql -h 127.0.0.1 -U postgres -q -c "drop database if exists $name" -c "create database $name"
    DEBUG=true .venv/bin/python manage.py migrate -v0
    DEBUG=true .venv/bin/python manage.py seed_demo >/dev/null 2>&1
  fi
  DEBUG=true .venv/bin/python manage.py shell -c "
from accounts.models import User
u, _ = User.objects.get_or_create(email='bench@example.com', defaults={'role': 'customer'})
u.role = 'customer'; u.set_password('Bars-pass-123'); u.save()" >/dev/null
}
