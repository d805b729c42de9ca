"""Outreach (举报与预警): the public's reports through the gate QR code (举报) and the 街道's
warnings and safety notices to enterprises (预警、安全提示). CONTRACT.md "Public reports (举报) and
warnings".

Modules: ``choices`` (states, reasons, kinds), ``models``, ``workflow`` (the tip and receipt
transition tables), ``scope`` (who sees which tip and bulletin), ``ratelimit`` (the per-address
counter of public tips, in the database), ``tips`` and ``bulletins`` (the services),
``figures`` (the dashboard's tip counts), ``jobs`` (untriaged-tip reminders in the periodic
job), ``wiring`` (records follow their enterprise to another community), the views
(``public_views`` without login, ``tip_views``, ``bulletin_views``) and ``cli``.
"""
