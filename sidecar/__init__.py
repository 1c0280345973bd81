"""Sidecar: announce a widget host's widget to the Tessera registry while it is healthy.

As a program: ``python -m sidecar --manifest … --widget-url …``. As a library: build a
``SidecarSettings``, ``load_manifest(settings)``, then ``await run(settings, manifest,
stop=event)``; or drive ``Lifecycle`` yourself with your own ports.
"""
