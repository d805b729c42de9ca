"""Photos (照片): takes images in, checks them, stores them with their derivatives and finds them
again. What a photo is evidence of, and who may see it, is its owner's domain (app.hazards)."""
