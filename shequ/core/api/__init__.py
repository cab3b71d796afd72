"""The API's building blocks that every app's router uses, below the apps: the error responses each operation
declares (errors.py), paging (pagination.py), bounded value types (types.py) and the request parser (parser.py).
Authentication is `shequ.access.api` (it needs accounts); the NinjaAPI instance, its error mapping and the
mounting of the routers are `shequ.api`, above every app and imported by none."""
