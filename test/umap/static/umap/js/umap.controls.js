U.Editable = L.Editable.extend({
  initialize: function (app, options) {
    this.app = app
    // TODO remove direct call to Leaflet map
    L.Editable.prototype.initialize.call(this, app.mapProxy.map, options)
    this.on('editable:drawing:click editable:drawing:move', this.drawingTooltip)
    // Layer for items added by users
    this.on('editable:drawing:cancel', (event) => {
      this.resetButtons()
    })
    this.on('editable:drawing:commit', function (event) {
      this.resetButtons()
      const feature = this.app.mapProxy.getFeatureById(event.layer.geojson.id)
      if (this.app.editedFeature !== feature) {
        const promise = feature.edit(event)
        if (feature.isRoute?.()) {
          promise.then((panel) => {
            panel.scrollTo('details#edit-route')
          })
        }
      }
    })
    this.on('editable:vertex:ctrlclick', (event) => {
      const index = event.vertex.getIndex()
      if (
        index === 0 ||
        (index === event.vertex.getLastIndex() && event.vertex.continue)
      )
        event.vertex.continue()
    })
    this.on('editable:vertex:altclick', (event) => {
      if (event.vertex.editor.vertexCanBeDeleted(event.vertex)) event.vertex.delete()
    })
    this.on('editable:vertex:rawclick', this.onVertexRawClick)
  },

  resetButtons: () => {
    const buttons = document.querySelectorAll('.umap-edit-bar .drawing-tool')
    for (const button of buttons) {
      button.classList.remove('on')
    }
  },

  startRoute: function (latlng) {
    const feature = this.createLineString()
    feature.askForRouteSettings().then(() => {
      const layer = this.drawNewFeature(feature)
      layer.enableEdit(this.map).newShape(latlng)
    })
  },

  createLineString: function () {
    const datalayer = this.app.defaultEditDataLayer()
    const line = new U.LineString(this.app, datalayer, {
      geometry: { type: 'LineString', coordinates: [] },
    })
    line._needs_upsert = true
    return line
  },

  createPolyline: function () {
    return this.drawNewFeature(this.createLineString())
  },

  createPolygon: function () {
    const datalayer = this.app.defaultEditDataLayer()
    const poly = new U.Polygon(this.app, datalayer, {
      geometry: { type: 'Polygon', coordinates: [] },
    })
    poly._needs_upsert = true
    return this.drawNewFeature(poly)
  },

  createMarker: function (latlng) {
    const datalayer = this.app.defaultEditDataLayer()
    const point = new U.Point(this.app, datalayer, {
      geometry: { type: 'Point', coordinates: [latlng.lng, latlng.lat] },
    })
    point._needs_upsert = true
    return this.drawNewFeature(point)
  },

  drawNewFeature: function (feature) {
    feature.datalayer.addFeature(feature)
    return this.app.mapProxy.startDrawing(feature.datalayer.id, feature.toRenderer())
  },

  _getDefaultProperties: function () {
    const result = {}
    if (this.app.properties.featuresHaveOwner?.user) {
      result.geojson = { properties: { owner: this.app.properties.user.id } }
    }
    return result
  },

  connectCreatedToMap: function (layer) {
    return this.app.mapProxy.connectDrawing(layer)
  },

  drawingTooltip: function (e) {
    if (e.layer instanceof L.Marker && e.type === 'editable:drawing:start') {
      this.app.tooltip.open({ content: L._('Click to add a marker') })
    }
    if (!(e.layer instanceof L.Polyline)) {
      // only continue with Polylines and Polygons
      return
    }
    let content = L._('Drawing')
    let measure
    if (e.layer.editor._drawnLatLngs) {
      // when drawing (a Polyline or Polygon)
      if (!e.layer.editor._drawnLatLngs.length) {
        // when drawing first point
        if (e.layer instanceof L.Polygon) {
          content = L._('Click to start drawing a polygon')
        } else if (e.layer instanceof L.Polyline) {
          content = L._('Click to start drawing a line')
        }
      } else {
        const tmpLatLngs = e.layer.editor._drawnLatLngs.slice()
        if (e.layer.editor._drawing === L.Editable.BACKWARD) {
          tmpLatLngs.unshift(e.latlng)
        } else {
          tmpLatLngs.push(e.latlng)
        }
        measure = e.layer.getMeasure(tmpLatLngs)

        if (e.layer.editor._drawnLatLngs.length < e.layer.editor.MIN_VERTEX) {
          // when drawing second point
          content = L._('Click to continue drawing')
        } else {
          // when drawing third point (or more)
          content = L._('Click last point to finish shape')
        }
      }
    } else {
      // when moving an existing point
      measure = e.layer.getMeasure()
    }
    if (measure) {
      if (e.layer instanceof L.Polygon) {
        content += ` ${L._('(area: {measure})', { measure: measure })}`
      } else if (e.layer instanceof L.Polyline) {
        content += ` ${L._('(length: {measure})', { measure: measure })}`
      }
    }
    if (content) {
      this.app.tooltip.open({ content: content })
    }
  },

  closeTooltip: function () {
    this.app.closeTooltip()
  },

  onVertexRawClick: (e) => {
    // Do not delete the vertex on click (but on alt-click only)
    e.cancel()
  },

  onEscape: function () {
    this.once('editable:drawing:end', (event) => {
      this.app.tooltip.close()
      const feature = this.app.mapProxy.getFeatureById(event.layer.geojson.id)
      if (!feature) return
      // Leaflet.Editable will delete the drawn shape if invalid
      // (eg. line has only one drawn point)
      // So let's check if the layer has no more shape
      // Sync _geometry from the UI so hasGeom() sees what is actually left.
      const geometry = event.layer.toGeometry()
      feature._geometry = geometry
      if (!feature.hasGeom() || event.layer instanceof U.LeafletMarker) {
        feature.del()
      } else {
        feature.onCommit(geometry)
        feature.edit()
      }
    })
    this.stopDrawing()
  },

  createVertexIcon: (options) =>
    L.Browser.mobile && L.Browser.touch
      ? L.divIcon({ iconSize: new L.Point(20, 20), ...options })
      : L.divIcon({ iconSize: new L.Point(12, 12), ...options }),
})
