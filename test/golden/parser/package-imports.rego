# A module with every import form.
package a["b"].c

import data.x.y
import data.lib["util"] as u
import input.request as req
import rego.v1
import future.keywords
import future.keywords.in
import future.keywords.if

p := u.f(req)
