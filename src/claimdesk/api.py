"""All JSON API routers, mounted under /api/v1. Each domain adds its router here."""

from __future__ import annotations

from fastapi import APIRouter

from claimdesk.auth.endpoints import router as auth_router

api_router = APIRouter()
api_router.include_router(auth_router)
