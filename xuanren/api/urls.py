from ninja import NinjaAPI

api = NinjaAPI(title="xuanren API", version="1", urls_namespace="api")
