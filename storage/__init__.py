"""Persistence for xieshang: tables, engine and sessions, migrations, the audit log.

Framework-free on purpose: nothing here may import aiogram or telegram.
"""
